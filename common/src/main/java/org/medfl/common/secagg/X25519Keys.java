package org.medfl.common.secagg;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;

/**
 * X25519 (RFC 7748) with keys as their 32-byte raw encodings: the JDK's XDH for key generation and agreement, Bouncy
 * Castle only to derive a public key from a reconstructed private scalar, which the JDK cannot do.
 */
final class X25519Keys {
  static final int KEY_BYTES = 32;

  private X25519Keys() {}

  /** A fresh key pair drawn from {@code random}. */
  static KeyPair generate(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("XDH");
      generator.initialize(NamedParameterSpec.X25519, random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no X25519", e);
    }
  }

  /** The RFC 7748 encoding of a public key: u, little-endian, 32 bytes. */
  static byte[] rawPublic(PublicKey key) {
    byte[] bigEndian = ((XECPublicKey) key).getU().toByteArray();
    byte[] raw = new byte[KEY_BYTES];
    for (int i = 0; i < KEY_BYTES && i < bigEndian.length; i++) {
      raw[i] = bigEndian[bigEndian.length - 1 - i];
    }
    return raw;
  }

  /** The private scalar as the JDK holds it, 32 bytes; this is what gets secret-shared. */
  static byte[] rawPrivate(PrivateKey key) {
    return ((XECPrivateKey) key).getScalar()
        .orElseThrow(() -> new IllegalStateException("the X25519 private key does not expose its scalar"));
  }

  /** The public key of a raw private scalar (clamped as RFC 7748 says), raw-encoded. */
  static byte[] publicOf(byte[] rawPrivate) {
    return new X25519PrivateKeyParameters(rawPrivate, 0).generatePublicKey().getEncoded();
  }

  /** X25519(private, peer public): the 32-byte shared secret; rejects low-order peer keys (all-zero secret). */
  static byte[] agree(byte[] rawPrivate, byte[] peerRawPublic) {
    if (peerRawPublic.length != KEY_BYTES || rawPrivate.length != KEY_BYTES) {
      throw new SecAggException("an X25519 key must be " + KEY_BYTES + " bytes");
    }
    try {
      KeyFactory factory = KeyFactory.getInstance("XDH");
      PrivateKey priv = factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, rawPrivate));
      byte[] bigEndian = new byte[KEY_BYTES];
      for (int i = 0; i < KEY_BYTES; i++) {
        bigEndian[i] = peerRawPublic[KEY_BYTES - 1 - i];
      }
      // RFC 7748 section 5: the most significant bit of u is ignored.
      bigEndian[0] &= 0x7f;
      PublicKey pub = factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, bigEndian)));
      KeyAgreement agreement = KeyAgreement.getInstance("XDH");
      agreement.init(priv);
      agreement.doPhase(pub, true);
      return agreement.generateSecret();
    } catch (GeneralSecurityException e) {
      throw new SecAggException("X25519 key agreement failed: " + e.getMessage(), e);
    }
  }
}
