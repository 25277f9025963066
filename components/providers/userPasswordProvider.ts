// UserPassword's provider, run in Pulumi's provider process and loaded there by module name: a random
// password made once, at create, with Node's crypto, and kept in the state (a secret) from then on, so
// it is stable across ups. Replaced only if its user is (a new user name is a new resource anyway).
import { createHash, randomBytes } from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { implementation } from "./implementation";

export interface UserPasswordInputs {
    /** The user the password is for (ACL user name). */
    readonly user: string;
}

export interface UserPasswordOutputs extends UserPasswordInputs {
    readonly password: string;
    /** SHA-256 of the password (hex): what the nodes get (`#<hex>`). */
    readonly passwordHash: string;
}

/** 256 random bits, URL-safe base64 (43 characters): fits in a URL, a shell word and a config file without quoting. */
export function newPassword(): string {
    return randomBytes(32).toString("base64url");
}

export const provider: pulumi.dynamic.ResourceProvider = implementation("UserPassword", {
    async create(inputs: UserPasswordInputs) {
        const password = newPassword();
        const outs: UserPasswordOutputs = {
            user: inputs.user,
            password,
            passwordHash: createHash("sha256").update(password).digest("hex"),
        };
        return { id: inputs.user, outs };
    },
    async read(id: string, props: UserPasswordOutputs) {
        // Nothing lives outside the state.
        return { id, props };
    },
    async diff(_id: string, olds: UserPasswordOutputs, news: UserPasswordInputs) {
        const changes = olds.user !== news.user;
        return { changes, replaces: changes ? ["user"] : [], deleteBeforeReplace: false };
    },
    async update(_id: string, olds: UserPasswordOutputs) {
        // Only a stale provider text gets here (a new user replaces): the password stays.
        return { outs: olds };
    },
    async delete() {
        // Nothing outside the state.
    },
});
