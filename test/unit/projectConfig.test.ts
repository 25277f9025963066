// Pulumi.yaml declares every setting (typed project config, so `pulumi config` shows them with their
// defaults); components/settings/config.ts holds the one list of keys and the rules. These must agree.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { CONFIG_KEYS, DEFAULTS, RawSettings, SETTING_KEYS, parseSettings } from "../../components/settings/config";

interface Declared {
    type?: string;
    default?: unknown;
    description?: string;
    items?: { type?: string };
}

const project = yaml.load(fs.readFileSync(path.resolve(__dirname, "../../Pulumi.yaml"), "utf8")) as { config?: Record<string, Declared> };
const declared = project.config ?? {};

describe("Pulumi.yaml project config", () => {
    it("declares exactly the keys the stack knows", () => {
        assert.deepEqual(Object.keys(declared).sort(), [...CONFIG_KEYS].sort());
    });

    it("gives every key a type, a default (Pulumi requires a value for a declared key without one) and a description", () => {
        for (const [key, d] of Object.entries(declared)) {
            assert.ok(["string", "integer", "boolean", "object", "array"].includes(d.type ?? ""), `${key}: type ${d.type}`);
            // Pulumi refuses an array without the type of its items.
            if (d.type === "array") assert.ok(d.items?.type, `${key}: no items type`);
            assert.ok(d.default !== undefined, `${key}: no default`);
            assert.ok(d.description && d.description.length > 10, `${key}: no description`);
        }
    });

    it("types each setting as config.ts parses it", () => {
        for (const key of SETTING_KEYS) {
            const value = DEFAULTS[key];
            // A computed default (clusterCheck) is declared as a string, "" meaning unset.
            const expected =
                key === "clusterCheck" ? "string" : typeof value === "number" ? "integer" : Array.isArray(value) ? "array" : typeof value;
            assert.equal(declared[key].type, expected, key);
        }
    });

    it("has defaults that parse to config.ts's DEFAULTS ('' is unset, as stackConfig.ts reads it)", () => {
        const raw: Record<string, string | undefined> = {};
        // An object- or list-valued key (redisConfig, tolerations) reaches the program as JSON text, as Config.get gives it.
        for (const key of SETTING_KEYS) {
            const value = declared[key].default as string | number | boolean | object;
            raw[key] = (typeof value === "object" ? JSON.stringify(value) : String(value)) || undefined;
        }
        assert.deepEqual(parseSettings(raw as RawSettings), DEFAULTS);
        assert.equal(declared.password.default, "", "no password by default");
        assert.equal(declared.users.type, "object", "users is a map (pulumi config set --path redis-stack:users.<name> ...)");
        assert.deepEqual(declared.users.default, {}, "no users by default");
    });
});
