package org.medfl.common.crypto;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;

/** SHA256withECDSA signatures over byte strings (audit records, kit manifests). */
public final class Signatures {
  private static final String ALGORITHM = "SHA256withECDSA";

  private Signatures() {}

  /**
   * Signs {@code data} with an EC private key.
   *
   * @throws IllegalArgumentException if {@code key} is not an EC private key
   */
  public static byte[] sign(PrivateKey key, byte[] data) {
    try {
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(key);
      signer.update(data);
      return signer.sign();
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("cannot sign with a " + key.getAlgorithm() + " key; an EC key is needed", e);
    } catch (NoSuchAlgorithmException | SignatureException e) {
      throw new IllegalStateException("cannot compute a " + ALGORITHM + " signature", e);
    }
  }

  /**
   * Whether {@code signature} is a valid signature of {@code data} by {@code key}; false for a malformed signature.
   *
   * @throws IllegalArgumentException if {@code key} is not an EC public key
   */
  public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(key);
      verifier.update(data);
      return verifier.verify(signature);
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("cannot verify with a " + key.getAlgorithm() + " key; an EC key is needed", e);
    } catch (SignatureException malformed) {
      return false;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot verify a " + ALGORITHM + " signature", e);
    }
  }
}
