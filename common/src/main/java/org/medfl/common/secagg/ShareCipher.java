package org.medfl.common.secagg;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated encryption of the shares one site sends another through the server: AES-256-GCM under
 * HKDF(X25519(c_u, c_v)) with job, round and the ordered pair as context, and with the associated data binding job,
 * round, sender and recipient, so a ciphertext replayed from another round, pair or direction fails to decrypt.
 */
final class ShareCipher {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private ShareCipher() {}

  /** The symmetric key of the pair: the same for both directions, which the random nonce and the AAD keep apart. */
  static byte[] pairKey(byte[] cPrivate, byte[] peerCPublic, String jobId, int round, String a, String b) {
    String low = a.compareTo(b) < 0 ? a : b;
    String high = a.compareTo(b) < 0 ? b : a;
    return Kdf.derive(X25519Keys.agree(cPrivate, peerCPublic), Kdf.info("share-key", jobId, round, low, high));
  }

  /** nonce || AES-GCM(plaintext) with AAD(job, round, from, to). */
  static byte[] seal(byte[] key, byte[] plaintext, String jobId, int round, String from, String to,
      SecureRandom random) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher gcm = gcm(Cipher.ENCRYPT_MODE, key, nonce);
      gcm.updateAAD(aad(jobId, round, from, to));
      byte[] sealed = gcm.doFinal(plaintext);
      byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /** The plaintext of {@link #seal}; a {@link SecAggException} if it was changed, replayed or misaddressed. */
  static byte[] open(byte[] key, byte[] ciphertext, String jobId, int round, String from, String to) {
    if (ciphertext.length < NONCE_BYTES + TAG_BITS / 8) {
      throw rejected(from, to, null);
    }
    try {
      Cipher gcm = gcm(Cipher.DECRYPT_MODE, key, Arrays.copyOf(ciphertext, NONCE_BYTES));
      gcm.updateAAD(aad(jobId, round, from, to));
      return gcm.doFinal(ciphertext, NONCE_BYTES, ciphertext.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw rejected(from, to, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed", e);
    }
  }

  private static SecAggException rejected(String from, String to, Throwable cause) {
    return new SecAggException("the shares from " + from + " to " + to + " do not decrypt: tampered, replayed from "
        + "another round or job, or sent to the wrong site", cause);
  }

  private static byte[] aad(String jobId, int round, String from, String to) {
    return Kdf.info("share-aad", jobId, round, from, to);
  }

  private static Cipher gcm(int mode, byte[] key, byte[] nonce) throws GeneralSecurityException {
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
    return gcm;
  }
}
