// externalAccess, externalHost and the load balancers' settings: NodePorts at the client ports for clients outside the
// Kubernetes cluster (the client ports default into the NodePort range, a host is required), or a load balancer per
// node (the usual ports, no host: each node's comes from its load balancer); a password either way; refused with the
// Docker runtimes.
import { strict as assert } from "assert";
import { RawSettings, parseSettings } from "../../components/settings/config";
import { stackProblems } from "../../components/stack/validate";
import { settingProblems } from "../support/settingProblems";

const kubernetes = (raw: RawSettings) => parseSettings({ runtime: "kubernetes", ...raw });

describe("config: externalAccess and externalHost", () => {
    it("defaults to none, with the usual ports", () => {
        const s = kubernetes({});
        assert.deepEqual([s.externalAccess, s.externalHost, s.basePort, s.standalonePort], ["none", "", 7000, 6379]);
    });

    it("with nodePort, unset client ports default into Kubernetes' NodePort range; set ones are kept", () => {
        const s = kubernetes({ externalAccess: "nodePort", externalHost: "10.213.0.1" });
        assert.deepEqual([s.externalAccess, s.externalHost, s.basePort, s.standalonePort], ["nodePort", "10.213.0.1", 31000, 31379]);
        const set = kubernetes({
            externalAccess: "nodePort",
            externalHost: "redis.example.com",
            basePort: "30100",
            standalonePort: "30200",
        });
        assert.deepEqual([set.externalHost, set.basePort, set.standalonePort], ["redis.example.com", 30100, 30200]);
    });

    it("refuses nodePort without a host, client ports outside the NodePort range, a bad host, a host without nodePort, another mode", () => {
        assert.deepEqual(settingProblems({ runtime: "kubernetes", externalAccess: "nodePort" }), [
            "externalHost: got unset with externalAccess nodePort; allowed: the address clients outside the cluster reach the Kubernetes nodes at (an IPv4 address or a DNS name), which the nodes announce in MOVED redirects",
        ]);
        assert.deepEqual(
            settingProblems({
                runtime: "kubernetes",
                externalAccess: "nodePort",
                externalHost: "10.0.0.1",
                basePort: "32765",
                standalonePort: "6380",
            }),
            [
                "basePort: got 32765 (client ports 32765-32770); allowed with externalAccess nodePort: client ports from 30000 to 32767, Kubernetes' NodePort range (unset: 31000)",
                "standalonePort: got 6380; allowed with externalAccess nodePort: a port from 30000 to 32767, Kubernetes' NodePort range (unset: 31379)",
            ],
        );
        assert.deepEqual(settingProblems({ runtime: "kubernetes", externalAccess: "nodePort", externalHost: "http://x" }), [
            'externalHost: got "http://x"; allowed: an IPv4 address or a DNS name that reaches the Kubernetes nodes, such as 10.0.0.12 or redis.example.com',
        ]);
        assert.deepEqual(settingProblems({ runtime: "kubernetes", externalHost: "10.0.0.1" }), [
            'externalHost: got "10.0.0.1"; allowed: unset with externalAccess none (the address of the NodePorts externalAccess nodePort makes)',
        ]);
        assert.deepEqual(settingProblems({ runtime: "kubernetes", externalAccess: "ingress" }), [
            'externalAccess: got "ingress"; allowed: none or nodePort or loadBalancer',
        ]);
    });

    describe("loadBalancer", () => {
        it("keeps the usual client ports and needs no host; takes source ranges (each once) and the Services' annotations", () => {
            const s = kubernetes({ externalAccess: "loadBalancer", basePort: "7000", standalonePort: "6379" });
            assert.deepEqual(
                [s.externalAccess, s.externalHost, s.basePort, s.standalonePort, s.loadBalancerSourceRanges, s.loadBalancerAnnotations],
                ["loadBalancer", "", 7000, 6379, [], {}],
            );
            const set = kubernetes({
                externalAccess: "loadBalancer",
                loadBalancerSourceRanges: '["203.0.113.0/24", "10.0.0.0/8", "203.0.113.0/24", "2001:db8::/32"]',
                loadBalancerAnnotations:
                    '{"service.beta.kubernetes.io/aws-load-balancer-internal": true, "networking.gke.io/load-balancer-type": "Internal"}',
            });
            assert.deepEqual(set.loadBalancerSourceRanges, ["203.0.113.0/24", "10.0.0.0/8", "2001:db8::/32"]);
            assert.deepEqual(set.loadBalancerAnnotations, {
                "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
                "networking.gke.io/load-balancer-type": "Internal",
            });
        });

        it("refuses externalHost: each node announces its own load balancer's address", () => {
            assert.deepEqual(settingProblems({ runtime: "kubernetes", externalAccess: "loadBalancer", externalHost: "10.0.0.1" }), [
                `externalHost: got "10.0.0.1" with externalAccess loadBalancer; allowed: unset (each node announces its own load balancer's address, from its Service's status)`,
            ]);
        });

        it("refuses bad source ranges and annotations, naming each entry, and Pulumi's skipAwait (the nodes wait for their addresses)", () => {
            assert.deepEqual(
                settingProblems({
                    runtime: "kubernetes",
                    externalAccess: "loadBalancer",
                    loadBalancerSourceRanges: '["203.0.113.7/24", "everywhere", 8]',
                    loadBalancerAnnotations: '{"pulumi.com/skipAwait": "true", "redis-stack/x": "1", "bad key!": "v"}',
                }),
                [
                    'loadBalancerSourceRanges[0]: got "203.0.113.7/24"; allowed: an IPv4 or IPv6 range such as 203.0.113.0/24 (no address bits after the prefix)',
                    'loadBalancerSourceRanges[1]: got "everywhere"; allowed: an IPv4 or IPv6 range such as 203.0.113.0/24 (no address bits after the prefix)',
                    "loadBalancerSourceRanges[2]: got 8; allowed: an IPv4 or IPv6 range such as 203.0.113.0/24 (no address bits after the prefix)",
                    `loadBalancerAnnotations.pulumi.com/skipAwait: got "true"; the nodes announce their load balancer's address, which the stack waits for; allowed: keys other than pulumi.com/skipAwait or redis-stack/...`,
                    `loadBalancerAnnotations.redis-stack/x: got "1"; the stack sets the annotations under redis-stack/ itself; allowed: keys other than pulumi.com/skipAwait or redis-stack/...`,
                    `loadBalancerAnnotations.bad key!: "bad key!" is not a valid key; allowed: a Kubernetes label key: a name of up to 63 letters, digits, '-', '_' or '.' (starting and ending with a letter or digit), optionally after a DNS prefix and '/', such as example.com/team`,
                ],
            );
            assert.deepEqual(
                settingProblems({ runtime: "kubernetes", externalAccess: "loadBalancer", loadBalancerSourceRanges: "10.0.0.0/8" }),
                ['loadBalancerSourceRanges: got "10.0.0.0/8"; allowed: a list of address ranges such as ["203.0.113.0/24"]'],
            );
        });

        it("refuses the load balancers' settings without loadBalancer", () => {
            assert.deepEqual(
                settingProblems({
                    runtime: "kubernetes",
                    externalAccess: "nodePort",
                    externalHost: "10.0.0.1",
                    loadBalancerSourceRanges: '["10.0.0.0/8"]',
                    loadBalancerAnnotations: '{"a": "b"}',
                }),
                [
                    'loadBalancerSourceRanges: got ["10.0.0.0/8"] with externalAccess nodePort; allowed: unset, or externalAccess loadBalancer (a setting of its load balancers)',
                    'loadBalancerAnnotations: got {"a": "b"} with externalAccess nodePort; allowed: unset, or externalAccess loadBalancer (a setting of its load balancers)',
                ],
            );
            assert.deepEqual(settingProblems({ loadBalancerSourceRanges: '["10.0.0.0/8"]' }), [
                'loadBalancerSourceRanges: got "[\\"10.0.0.0/8\\"]"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
            ]);
        });
    });

    it("is a setting of runtime kubernetes: refused with engine", () => {
        assert.deepEqual(settingProblems({ externalAccess: "nodePort", externalHost: "10.0.0.1" }), [
            'externalAccess: got "nodePort"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
            'externalHost: got "10.0.0.1"; allowed: unset with runtime engine (a setting of runtime kubernetes)',
        ]);
    });

    it("needs a password: NodePorts answer every network that reaches a Kubernetes node", () => {
        const raw = { runtime: "kubernetes", externalAccess: "nodePort", externalHost: "10.0.0.1" };
        const without = stackProblems(raw, { given: new Set() }).problems;
        assert.deepEqual(without, [
            'externalAccess: got "nodePort" without a password, which would open the nodes to every network that reaches a Kubernetes node; allowed: set password too, or none',
        ]);
        const withPassword = stackProblems(raw, { given: new Set(["password"] as const), password: "an-External-Secret-1" });
        assert.deepEqual(withPassword.problems, []);
    });

    it("needs a password with loadBalancer too: load balancers answer every network that reaches them", () => {
        const raw = { runtime: "kubernetes", externalAccess: "loadBalancer" };
        assert.deepEqual(stackProblems(raw, { given: new Set() }).problems, [
            'externalAccess: got "loadBalancer" without a password, which would open the nodes to every network that reaches its load balancers; allowed: set password too, or none',
        ]);
        assert.deepEqual(stackProblems(raw, { given: new Set(["password"] as const), password: "an-External-Secret-1" }).problems, []);
    });
});
