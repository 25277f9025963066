// `engine` runtime, provider process: the ownership rule (../ownership.ts) where a provider adopts, replaces or
// removes a Docker object by its name. A new resource's check (preview and up) and its create refuse an object of
// its name that is not the stack's; an update replaces only the stack's own; a delete leaves someone else's as it is.
import { inspectObject } from "../dockerEngine";
import { type HostObject, type ObjectKind, type Recorded, type StackOwnerId, mayTouch, ownershipRefusal } from "../ownership";

type Found = HostObject & { readonly id: string };

/** An object of the resource's name that is not the stack's: nothing was changed. */
export class OwnershipRefusal extends Error {
    constructor(message: string) {
        super(message);
        this.name = "OwnershipRefusal";
    }
}

/** The object of that name, where the stack may touch it; undefined where there is none; throws the refusal for another one. */
export async function ownedObject(
    kind: ObjectKind,
    name: string,
    stack: StackOwnerId,
    recorded: (found: Found) => Recorded = () => "no",
): Promise<Found | undefined> {
    const found = await inspectObject(kind, name);
    if (!found) return undefined;
    const refusal = ownershipRefusal([found], stack, () => recorded(found));
    if (refusal !== undefined) throw new OwnershipRefusal(refusal);
    return found;
}

/** For a delete: whether an object of that name exists and is the stack's to remove. */
export async function removable(
    kind: ObjectKind,
    name: string,
    stack: StackOwnerId,
    recorded: (found: Found) => Recorded,
): Promise<boolean> {
    const found = await inspectObject(kind, name);
    return found !== undefined && mayTouch(found.labels, stack, recorded(found));
}

/** A check's old inputs are empty for a resource the state does not hold yet. */
export const isNew = (olds: object) => Object.keys(olds).length === 0;

export const refusedOwnership = (err: unknown) => err instanceof OwnershipRefusal;
