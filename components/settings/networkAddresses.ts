// Pure: IPv4 address arithmetic of a stack's Docker network: its gateway, its network address, the
// address nodes announce.

export const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function ipv4ToInt(address: string): number {
    return address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function intToIpv4(value: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** The gateway Docker assigns a bridge network: the first host address of the subnet. */
export function subnetGateway(subnet: string): string {
    const [base, prefix] = subnet.split("/");
    const size = 2 ** (32 - Number(prefix));
    return intToIpv4(Math.floor(ipv4ToInt(base) / size) * size + 1);
}

/** The CIDR with its host bits cleared: `172.30.57.5/24` -> `172.30.57.0/24`. */
export function networkAddress(subnet: string): string {
    const [base, prefix] = subnet.split("/");
    const size = 2 ** (32 - Number(prefix));
    return `${intToIpv4(Math.floor(ipv4ToInt(base) / size) * size)}/${prefix}`;
}

/** The address nodes announce and ports are published on: the configured one, else the gateway. */
export function announceAddress(settings: {
    readonly networkMode: string;
    readonly subnet: string;
    readonly publishAddress: string;
}): string {
    if (settings.networkMode === "host") return "127.0.0.1";
    if (settings.publishAddress === "" || settings.publishAddress === "0.0.0.0") return subnetGateway(settings.subnet);
    return settings.publishAddress;
}
