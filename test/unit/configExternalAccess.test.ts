// externalAccess and externalHost: NodePorts at the client ports for clients outside the Kubernetes cluster. The client
// ports default into the NodePort range, a host is required, a password too; refused with the Docker runtimes.
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
        assert.deepEqual(settingProblems({ runtime: "kubernetes", externalAccess: "loadBalancer" }), [
            'externalAccess: got "loadBalancer"; allowed: none or nodePort',
        ]);
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
});
