package org.medfl.common.pki;

import java.util.Locale;

/** What a participant may do in the consortium; carried in the OU of its certificate subject. */
public enum Role {
  /** Runs the federation: aggregates, checkpoints and keeps the audit log. */
  COORDINATOR,
  /** A hospital that trains on its own data and never sends it out. */
  SITE,
  /** Submits and aborts jobs. */
  ADMIN,
  /** Reads audit logs and provenance, changes nothing. */
  AUDITOR;

  /** The value written into certificates and kit files, e.g. "site". */
  public String certValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The role for a certificate OU or kit.json value.
   *
   * @throws IllegalArgumentException naming {@code v} when it is not a role
   */
  public static Role fromCertValue(String v) {
    for (Role role : values()) {
      if (role.certValue().equals(v)) {
        return role;
      }
    }
    throw new IllegalArgumentException(
        "'" + v + "' is not a MedFL role; expected one of coordinator, site, admin, auditor");
  }
}
