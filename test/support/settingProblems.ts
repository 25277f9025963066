// The problems parseSettings refuses a stack's raw settings with, for the config unit tests.
import { strict as assert } from "assert";
import { ConfigError, RawSettings, parseSettings } from "../../components/settings/config";

/** Every problem parseSettings finds in `raw`; fails the test when it accepts them. */
export function settingProblems(raw: RawSettings): string[] {
    try {
        parseSettings(raw);
    } catch (err) {
        assert.ok(err instanceof ConfigError);
        return [...err.problems];
    }
    assert.fail("expected a ConfigError");
}
