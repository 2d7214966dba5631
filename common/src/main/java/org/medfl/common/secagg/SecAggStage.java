package org.medfl.common.secagg;

/** The four stages of one secure aggregation round, in order (Bonawitz et al. 2017, Fig. 4, rounds 0, 1, 2 and 4). */
public enum SecAggStage {
  /** Round 0: each site publishes two signed X25519 public keys. */
  ADVERTISE_KEYS("AdvertiseKeys"),
  /** Round 1: each site sends encrypted Shamir shares of its self-mask seed and masking key to every peer. */
  SHARE_KEYS("ShareKeys"),
  /** Round 2: each site sends its quantized, weighted update plus pairwise and self masks. */
  MASKED_INPUT("MaskedInput"),
  /** Round 4: survivors return the shares the server needs to remove the masks. */
  UNMASKING("Unmasking");

  private final String label;

  SecAggStage(String label) {
    this.label = label;
  }

  /** The stage's name as the paper writes it, for messages. */
  public String label() {
    return label;
  }
}
