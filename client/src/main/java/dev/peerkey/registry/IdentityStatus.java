package dev.peerkey.registry;

/** An identity's state as the registry reports it; the order matches the contract's enum. */
public enum IdentityStatus {
    UNKNOWN, ACTIVE, EXPIRED, REVOKED;

    static IdentityStatus fromContract(int ordinal) {
        IdentityStatus[] all = values();
        if (ordinal < 0 || ordinal >= all.length) {
            throw new RegistryException("the registry reported an impossible status " + ordinal);
        }
        return all[ordinal];
    }

    public String label() {
        return name().toLowerCase();
    }
}
