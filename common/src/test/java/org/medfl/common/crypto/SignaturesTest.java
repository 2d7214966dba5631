package org.medfl.common.crypto;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;

class SignaturesTest {
  private final KeyPair keys = newKeyPair();
  private final byte[] data = "round 3 committed".getBytes(StandardCharsets.UTF_8);

  @Test
  void signatureVerifiesWithMatchingPublicKey() {
    // given / when
    byte[] signature = Signatures.sign(keys.getPrivate(), data);

    // then
    assertTrue(Signatures.verify(keys.getPublic(), data, signature));
  }

  @Test
  void signatureFailsForChangedData() {
    // given
    byte[] signature = Signatures.sign(keys.getPrivate(), data);
    data[0] ^= 1;

    // when / then
    assertFalse(Signatures.verify(keys.getPublic(), data, signature));
  }

  @Test
  void malformedSignatureIsFalseNotAnException() {
    // given
    byte[] garbage = {1, 2, 3};

    // when / then
    assertFalse(Signatures.verify(keys.getPublic(), data, garbage));
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
