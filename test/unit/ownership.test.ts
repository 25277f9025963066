// Whose a Docker object with one of a stack's names is (components/runtime/ownership.ts): the decision every path
// that adopts, replaces or removes one takes, and the refusal it gives.
import { strict as assert } from "assert";
import { STACK_LABEL } from "../../components/runtime/dockerPlacement";
import {
    type HostObject,
    OWNER_LABEL,
    mayTouch,
    ownerIdFor,
    ownershipOf,
    ownershipRefusal,
    stackObjects,
} from "../../components/runtime/ownership";

const stack = { stackLabel: "shop-dev", ownerId: "0b5e" };
const ours = { [STACK_LABEL]: "shop-dev", [OWNER_LABEL]: "0b5e" };
const otherCheckout = { [STACK_LABEL]: "shop-dev", [OWNER_LABEL]: "77aa" };
const earlierRelease = { [STACK_LABEL]: "shop-dev" };
const otherStack = { [STACK_LABEL]: "shop-staging" };
const handMade = {};

describe("ownership: whose an object with the stack's names is", () => {
    it("the stack's owner id: ours; another owner id, another stack's label or none: foreign; the stack's label alone: unlabelled", () => {
        assert.equal(ownershipOf(ours, stack), "ours");
        assert.equal(ownershipOf(otherCheckout, stack), "foreign");
        assert.equal(ownershipOf(earlierRelease, stack), "unlabelled");
        assert.equal(ownershipOf(otherStack, stack), "foreign");
        assert.equal(ownershipOf(handMade, stack), "foreign");
        // Another checkout with the same names has the same stack label: the owner id alone tells them apart.
        assert.equal(ownershipOf({ ...otherStack, [OWNER_LABEL]: "0b5e" }, stack), "ours");
    });

    it("a state without an owner id (written before owner ids) owns no labelled object", () => {
        assert.equal(ownershipOf(ours, { stackLabel: "shop-dev", ownerId: undefined }), "foreign");
        assert.equal(ownershipOf(earlierRelease, { stackLabel: "shop-dev", ownerId: undefined }), "unlabelled");
    });

    it("an object an earlier release made is the stack's only where its state records it", () => {
        assert.equal(mayTouch(earlierRelease, stack, "no"), false);
        assert.equal(mayTouch(earlierRelease, stack, "its name"), true);
        assert.equal(mayTouch(ours, stack, "no"), true);
        // A volume the state records by name, now another checkout's or hand-made: not the stack's.
        for (const labels of [otherCheckout, otherStack, handMade]) assert.equal(mayTouch(labels, stack, "its name"), false);
        // The very object (its id) the stack's resource made is its own, whatever it carries.
        assert.equal(mayTouch(handMade, stack, "this object"), true);
    });
});

describe("ownership: the refusal", () => {
    const found: HostObject[] = [
        { kind: "volume", name: "shop-dev-shop-node-0-data", labels: otherCheckout },
        { kind: "container", name: "shop-dev-shop-node-0", labels: handMade },
        { kind: "network", name: "shop-dev-shop-net", labels: otherStack },
        { kind: "volume", name: "shop-dev-shop-node-1-data", labels: earlierRelease },
        { kind: "volume", name: "shop-dev-shop-node-2-data", labels: ours },
    ];

    it("names every object not the stack's, with the label it carries or its absence, and what to do", () => {
        assert.equal(
            ownershipRefusal(found, stack),
            [
                "Docker objects with this stack's names are not this stack's; nothing was created or changed:",
                `  - volume shop-dev-shop-node-0-data: labelled ${OWNER_LABEL}=77aa (${STACK_LABEL}=shop-dev), not this stack's owner id 0b5e`,
                `  - container shop-dev-shop-node-0: without a ${STACK_LABEL} or ${OWNER_LABEL} label: not made by redis-stack`,
                `  - network shop-dev-shop-net: labelled ${STACK_LABEL}=shop-staging: another redis-stack stack's`,
                `  - volume shop-dev-shop-node-1-data: labelled ${STACK_LABEL}=shop-dev without ${OWNER_LABEL} (made by a release of redis-stack ` +
                    "before owner labels), and not recorded in this stack's state",
                "They may be the objects of a stack with the same project and stack name from another checkout (another state backend) " +
                    "on this host; this stack adopts, replaces or removes only its own. Give this stack other names (redis-stack:namePrefix, " +
                    "and other ports and subnet while the other stack runs), or remove them if nobody needs them (docker volume rm, " +
                    "docker rm -f, docker network rm). If they are this stack's own (volumes kept through `destroy` by retainData, or its " +
                    "state was lost), take them back with `pulumi config set redis-stack:ownerId 77aa` (RedisStack's ownerId) and run up again.",
            ].join("\n"),
        );
    });

    it("none when every object is the stack's; an earlier release's passes where its state records it", () => {
        assert.equal(ownershipRefusal([found[4]], stack), undefined);
        assert.equal(
            ownershipRefusal([found[3], found[4]], stack, () => "its name"),
            undefined,
        );
        assert.match(ownershipRefusal([found[3]], stack)!, /not recorded in this stack's state/);
    });

    it("names no owner id to take back when the objects carry none", () => {
        assert.doesNotMatch(ownershipRefusal([found[1]], stack)!, /ownerId/);
    });
});

describe("ownership: the stack's objects and its owner id", () => {
    it("a container and a volume per node, and the network in bridge mode", () => {
        const node = (name: string) => ({ name, volume: `${name}-data` });
        const placement = {
            clusterNodes: [node("p-node-0"), node("p-node-1")],
            standalone: node("p-standalone"),
            network: { name: "p-net" },
        };
        assert.deepEqual(stackObjects(placement as unknown as Parameters<typeof stackObjects>[0]), [
            { kind: "container", name: "p-node-0" },
            { kind: "container", name: "p-node-1" },
            { kind: "container", name: "p-standalone" },
            { kind: "volume", name: "p-node-0-data" },
            { kind: "volume", name: "p-node-1-data" },
            { kind: "volume", name: "p-standalone-data" },
            { kind: "network", name: "p-net" },
        ]);
    });

    it("the recorded id stays; a stack without one takes the id asked for, else a new one", () => {
        const fresh = () => "new";
        assert.equal(ownerIdFor(undefined, undefined, fresh), "new");
        assert.equal(ownerIdFor(undefined, "77aa", fresh), "77aa");
        assert.equal(ownerIdFor("0b5e", undefined, fresh), "0b5e");
        assert.equal(ownerIdFor("0b5e", "0b5e", fresh), "0b5e");
        assert.throws(
            () => ownerIdFor("0b5e", "77aa", fresh),
            /^Error: ownerId: got "77aa", but this stack's owner id is "0b5e" \(every Docker object it made carries it\); nothing was changed/,
        );
    });
});
