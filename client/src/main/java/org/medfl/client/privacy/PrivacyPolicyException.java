package org.medfl.client.privacy;

/** A local/privacy.yaml that cannot be accepted; the message names the file and the offending key. */
public final class PrivacyPolicyException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** @param message a full sentence such as "kits/a/local/privacy.yaml: unknown key 'max_clipp' (known: ...)" */
  public PrivacyPolicyException(String message) {
    super(message);
  }

  PrivacyPolicyException(String message, Throwable cause) {
    super(message, cause);
  }
}
