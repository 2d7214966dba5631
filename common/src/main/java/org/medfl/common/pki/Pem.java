package org.medfl.common.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** Reads and writes certificates and PKCS#8 private keys as PEM files; private keys are owner-only from creation. */
public final class Pem {
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS =
      PosixFilePermissions.fromString("---rwxrwx");

  private Pem() {}

  /** Writes one or more certificates (leaf first) to {@code file}, replacing it if present. */
  public static void writeCertificates(Path file, X509Certificate... certificates) {
    if (certificates.length == 0) {
      throw new IllegalArgumentException("no certificates to write to " + file);
    }
    try {
      Files.writeString(file, certificatesToPem(certificates), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new PkiException("cannot write certificate file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code key} as an unencrypted PKCS#8 PEM file with mode 600.
   *
   * @throws PkiException if {@code file} already exists: a key is never overwritten
   */
  public static void writePrivateKey(Path file, PrivateKey key) {
    byte[] pem = privateKeyToPem(key).getBytes(StandardCharsets.US_ASCII);
    // The mode is given at creation, so the key is never readable by others, not even between create and chmod.
    try (SeekableByteChannel out = createOwnerOnly(file)) {
      ByteBuffer buffer = ByteBuffer.wrap(pem);
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
    } catch (FileAlreadyExistsException e) {
      throw new PkiException(file + " already exists; refusing to overwrite a private key", e);
    } catch (IOException e) {
      throw new PkiException("cannot write private key file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The first certificate in {@code file}. */
  public static X509Certificate readCertificate(Path file) {
    return readCertificates(file).get(0);
  }

  /** All certificates in {@code file}, in file order; at least one. */
  public static List<X509Certificate> readCertificates(Path file) {
    List<X509Certificate> certificates = new ArrayList<>();
    Reader reader = open(file);
    try (PEMParser parser = new PEMParser(reader)) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof X509CertificateHolder holder) {
          certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
        }
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      throw new PkiException(file + " is not a PEM certificate: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new PkiException(file + " is not a PEM certificate");
    }
    return List.copyOf(certificates);
  }

  /**
   * The private key in {@code file}, PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY"), unencrypted.
   *
   * @throws PkiException if the file is missing or malformed, or group or others may read or write it (see
   *     {@link #requireOwnerOnly})
   */
  public static PrivateKey readPrivateKey(Path file) {
    requireOwnerOnly(file);
    Object object;
    Reader reader = open(file);
    try (PEMParser parser = new PEMParser(reader)) {
      object = parser.readObject();
    } catch (IOException | RuntimeException e) {
      throw new PkiException(file + " is not a PEM private key: " + e.getMessage(), e);
    }
    try {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (object instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
    } catch (IOException e) {
      throw new PkiException(file + " is not a usable private key: " + e.getMessage(), e);
    }
    if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
      throw new PkiException(file + " is an encrypted private key; MedFL needs an unencrypted PKCS#8 key");
    }
    throw new PkiException(file + " is not a PEM private key");
  }

  /**
   * Refuses a private key file that group or others may read or write, with the command that fixes it.
   *
   * <p>Refusing, not warning: a key others could read must be presumed copied, and a warning in a log is easy to miss.
   * On file systems without POSIX modes (Windows) there is nothing to check.
   *
   * @throws PkiException e.g. "/kits/a/startup/key.pem has mode 644 (...); ...: run chmod 600 /kits/a/startup/key.pem"
   */
  public static void requireOwnerOnly(Path file) {
    Set<PosixFilePermission> mode;
    try {
      mode = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException notPosix) {
      return;
    } catch (NoSuchFileException e) {
      throw new PkiException(file + " does not exist", e);
    } catch (IOException e) {
      throw new PkiException(file + " cannot be read: " + e.getMessage(), e);
    }
    if (mode.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
      throw new PkiException(file + " has mode " + octal(mode) + " (group or others have access); a private key must"
          + " be owner-only: run chmod 600 " + file);
    }
  }

  /** The PEM text ("X509 CRL") of a revocation list. */
  public static String crlToPem(X509CRL crl) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(crl);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /** The PEM text of {@code certificates}, e.g. to embed a certificate in a JSON record. */
  public static String certificatesToPem(X509Certificate... certificates) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      for (X509Certificate certificate : certificates) {
        writer.writeObject(certificate);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /** Parses certificates from PEM text; {@code source} names where the text came from, for the error message. */
  public static List<X509Certificate> certificatesFromPem(String pem, String source) {
    List<X509Certificate> certificates = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof X509CertificateHolder holder) {
          certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
        }
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      throw new PkiException(source + " is not a PEM certificate: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new PkiException(source + " is not a PEM certificate");
    }
    return List.copyOf(certificates);
  }

  /** The PKCS#8 PEM text of {@code key}. */
  static String privateKeyToPem(PrivateKey key) {
    StringWriter text = new StringWriter();
    try (Writer sink = text; JcaPEMWriter writer = new JcaPEMWriter(sink)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  private static String octal(Set<PosixFilePermission> mode) {
    int bits = 0;
    for (PosixFilePermission permission : mode) {
      bits |= 1 << (8 - permission.ordinal());
    }
    return String.format("%03o", bits);
  }

  private static Reader open(Path file) {
    try {
      return Files.newBufferedReader(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new PkiException(file + " does not exist", e);
    } catch (IOException e) {
      throw new PkiException(file + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static SeekableByteChannel createOwnerOnly(Path file) throws IOException {
    Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
      return Files.newByteChannel(file, options, mode);
    } catch (UnsupportedOperationException notPosix) {
      // Windows: the file inherits the ACL of its directory; there is no mode to set.
      return Files.newByteChannel(file, options);
    }
  }
}
