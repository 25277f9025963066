// The address a node announces with externalAccess loadBalancer, read from its Service's status: the first ingress's
// IP, else its DNS name (AWS gives names, most others IPs); a status without one is refused, naming the Service.
import { strict as assert } from "assert";
import { loadBalancerAddress } from "../../components/runtime/kubernetes/manifests";

describe("kubernetes runtime: a load balancer's address", () => {
    it("is the first ingress's IP, else its hostname", () => {
        assert.equal(
            loadBalancerAddress("node-0-external", { loadBalancer: { ingress: [{ ip: "203.0.113.7" }, { ip: "203.0.113.8" }] } }),
            "203.0.113.7",
        );
        assert.equal(
            loadBalancerAddress("node-0-external", { loadBalancer: { ingress: [{ hostname: "a1b2.elb.us-east-1.amazonaws.com" }] } }),
            "a1b2.elb.us-east-1.amazonaws.com",
        );
        assert.equal(
            loadBalancerAddress("node-0-external", { loadBalancer: { ingress: [{ ip: "", hostname: "lb.example.com" }] } }),
            "lb.example.com",
        );
    });

    it("is refused while the Service has none, naming it and what would give one", () => {
        for (const status of [undefined, {}, { loadBalancer: {} }, { loadBalancer: { ingress: [] } }])
            assert.throws(
                () => loadBalancerAddress("standalone-external", status),
                /^Error: Service standalone-external has no load balancer address in its status \(got .*\): does the cluster run a load balancer controller\?$/,
            );
    });
});
