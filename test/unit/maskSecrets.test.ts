// Errors from Redis or ioredis may echo a command's arguments; what we rethrow never shows a password.
import { strict as assert } from "assert";
import { maskSecrets } from "../../components/redis/connect";

describe("maskSecrets", () => {
    it("masks every occurrence of every given password, and leaves the rest of the message", () => {
        const err = new Error("ERR Error in ACL SETUSER modifier '>new-Secret-1': old-Secret-0 and new-Secret-1");
        assert.equal(maskSecrets(err, "old-Secret-0", "new-Secret-1"), "ERR Error in ACL SETUSER modifier '>***': *** and ***");
    });

    it("takes non-errors and missing passwords", () => {
        assert.equal(maskSecrets("plain text", undefined, ""), "plain text");
    });
});
