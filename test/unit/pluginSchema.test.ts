// The component package's schema, as the plugin serves it: secrets marked, which the analyzer cannot tell.
import { strict as assert } from "assert";
import { SECRET_PROPERTIES, withGoInputTypes, withSecretsMarked } from "../../plugin/servePlugin";

const TYPE = "redis-stack:index:RedisStack";
const properties = (names: readonly string[]) => Object.fromEntries([...names, "basePort"].map((name) => [name, { type: "string" }]));
const schema = (inputs: readonly string[], outputs: readonly string[]) =>
    JSON.stringify({
        name: "redis-stack",
        resources: { [TYPE]: { inputProperties: properties(inputs), properties: properties(outputs) } },
    });

describe("the component package's schema", () => {
    it("marks RedisStack's secret arguments and outputs secret, and nothing else", () => {
        const marked = JSON.parse(withSecretsMarked(schema(SECRET_PROPERTIES.inputs, SECRET_PROPERTIES.outputs), TYPE));
        const resource = marked.resources[TYPE];
        const secretOnes = (props: Record<string, { secret?: boolean }>) =>
            Object.entries(props)
                .filter(([, p]) => p.secret)
                .map(([name]) => name);
        assert.deepEqual(secretOnes(resource.inputProperties), ["password", "tlsCaKey", "tlsKey", "tlsClientKey"]);
        assert.deepEqual(secretOnes(resource.properties), ["redisPassword", "redisUsers", "tlsClientKey"]);
    });

    it("refuses a schema that lacks one of them (a renamed argument must not lose its secrecy unnoticed)", () => {
        assert.throws(
            () => withSecretsMarked(schema(["password"], SECRET_PROPERTIES.outputs), TYPE),
            /has no input tlsCaKey to mark secret/,
        );
    });

    it("asks Go's generator for every object type's input type, keeping the other languages' settings", () => {
        const given = JSON.stringify({
            name: "redis-stack",
            language: { go: { respectSchemaVersion: true }, python: { respectSchemaVersion: true } },
        });
        assert.deepEqual(JSON.parse(withGoInputTypes(given)).language, {
            go: { respectSchemaVersion: true, generateExtraInputTypes: true },
            python: { respectSchemaVersion: true },
        });
        assert.deepEqual(JSON.parse(withGoInputTypes(JSON.stringify({ name: "redis-stack" }))).language, {
            go: { generateExtraInputTypes: true },
        });
    });
});
