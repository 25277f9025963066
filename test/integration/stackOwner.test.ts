// StackOwner's check against a real Docker engine, for an object an earlier release made (the stack's label and no
// owner id): a stack that never ran cannot have made it, so where the runtime asks (docker: @pulumi/docker's resources
// cannot check their objects against the state) it is refused, named, and left as it was; a stack with a state takes it.
import { strict as assert } from "assert";
import { provider } from "../../components/stack/stackOwnerProvider";
import { STACK_LABEL } from "../../components/runtime/dockerPlacement";
import { OWNER_LABEL } from "../../components/runtime/ownership";
import { docker } from "../support/dockerCli";

describe("StackOwner's check on a Docker host: an object an earlier release made", function () {
    this.timeout(60000);
    const prefix = `rs-owner-it-${Date.now().toString(36)}`;
    const volume = `${prefix}-node-0-data`;
    const labels = () => JSON.parse(docker("volume", "inspect", "--format", "{{json .Labels}}", volume)) as Record<string, string>;
    const inputs = (deployedBefore?: boolean) => ({
        stackLabel: prefix,
        objects: [{ kind: "volume" as const, name: volume }],
        ...(deployedBefore === undefined ? {} : { deployedBefore }),
    });

    before(() => docker("volume", "create", "--label", `${STACK_LABEL}=${prefix}`, volume));
    after(() => docker("volume", "rm", "--force", volume));

    it("refuses it for a stack that never ran, naming it and what it carries, and leaves it as it was", async () => {
        const { failures } = await provider.check!({}, inputs(false));
        assert.equal(failures?.length, 1, JSON.stringify(failures));
        assert.match(failures[0].reason, new RegExp(`volume ${volume}: labelled ${STACK_LABEL}=${prefix} without ${OWNER_LABEL}`));
        assert.match(failures[0].reason, /nothing was created or changed/);
        assert.deepEqual(labels(), { [STACK_LABEL]: prefix });
    });

    it("takes it where the stack has a state: deployed before, an owner id already, or not asked (the engine runtime's resources check it)", async () => {
        for (const [olds, news] of [
            [{}, inputs(true)],
            [{ ownerId: "an-earlier-id" }, inputs(false)],
            [{}, inputs()],
        ] as const) {
            const { failures } = await provider.check!(olds, news);
            assert.deepEqual(failures ?? [], [], JSON.stringify({ olds, news }));
        }
        assert.deepEqual(labels(), { [STACK_LABEL]: prefix });
    });
});
