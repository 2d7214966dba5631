package org.medfl.common.pki;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import org.medfl.common.crypto.Digests;

/** The one key type of the consortium, EC P-256 (secp256r1): generation, checks and fingerprints. */
public final class EcKeys {
  private static final String CURVE = "secp256r1";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ECParameterSpec P256 = p256();

  private EcKeys() {}

  /** A fresh P-256 key pair. */
  public static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(CURVE), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot generate EC P-256 keys", e);
    }
  }

  /** Whether {@code key} is an EC key on P-256, the only curve participants use. */
  public static boolean isP256(PublicKey key) {
    // Compared by parameters, not by name: providers name the same curve differently.
    return key instanceof ECPublicKey ec
        && ec.getParams().getCurve().equals(P256.getCurve())
        && ec.getParams().getGenerator().equals(P256.getGenerator())
        && ec.getParams().getOrder().equals(P256.getOrder());
  }

  /**
   * "SHA256:" and the hex SHA-256 of the key's SubjectPublicKeyInfo: short enough to read aloud on the phone, to
   * confirm that a signing request came from its participant and not from whoever handled the file on the way.
   */
  public static String fingerprint(PublicKey key) {
    return "SHA256:" + Digests.sha256Hex(key.getEncoded());
  }

  private static ECParameterSpec p256() {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec(CURVE));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM does not know the EC curve " + CURVE, e);
    }
  }
}
