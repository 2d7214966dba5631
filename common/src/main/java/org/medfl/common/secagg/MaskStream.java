package org.medfl.common.secagg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pseudorandom generator of the masks: the AES-256-CTR keystream of a 32-byte seed (zero counter block), read as
 * little-endian uint32 words and added to or subtracted from a vector mod 2^32 in chunks, so no mask-sized buffer is
 * ever allocated. A seed is used for one stream only: each is derived per round and per pair.
 */
final class MaskStream {
  private static final int CHUNK_BYTES = 1 << 16;
  private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private MaskStream() {}

  /** {@code target += PRG(seed)} mod 2^32. */
  static void add(int[] target, byte[] seed) {
    apply(target, seed, true);
  }

  /** {@code target -= PRG(seed)} mod 2^32. */
  static void subtract(int[] target, byte[] seed) {
    apply(target, seed, false);
  }

  /** Adds PRG(seed) when {@code plus}, else subtracts it. */
  static void apply(int[] target, byte[] seed, boolean plus) {
    Cipher aes = ctr(seed);
    byte[] zeros = new byte[CHUNK_BYTES];
    byte[] stream = new byte[CHUNK_BYTES];
    for (int start = 0; start < target.length; start += CHUNK_BYTES / 4) {
      int words = Math.min(CHUNK_BYTES / 4, target.length - start);
      try {
        aes.update(zeros, 0, words * 4, stream, 0);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-CTR failed", e);
      }
      if (plus) {
        for (int i = 0; i < words; i++) {
          target[start + i] += (int) INT_LE.get(stream, i * 4);
        }
      } else {
        for (int i = 0; i < words; i++) {
          target[start + i] -= (int) INT_LE.get(stream, i * 4);
        }
      }
    }
  }

  private static Cipher ctr(byte[] seed) {
    try {
      Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
      aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(new byte[16]));
      return aes;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no AES-CTR", e);
    }
  }
}
