package org.medfl.deploy.simulate;

import ij.plugin.DICOM;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.medfl.common.pki.Pem;

/**
 * Looks for what must never reach a log in text a federation wrote: PEM private key headers, the private keys of
 * the kits (PEM body lines, and their secret values as hex, base64 at any byte alignment, or raw bytes), Patient ID
 * and Patient's Name values of the DICOM files, and runs of their pixel data (48 bytes from the start and from the
 * middle, in the same encodings). Text is read as ISO-8859-1, so raw bytes match as well as ASCII.
 */
final class LeakScanner {

  /** Any PEM private key block, whatever key it holds. */
  private static final Pattern PEM_PRIVATE_KEY = Pattern.compile("-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----");
  /** Needles at least this long are matched through a map of their first characters, in one pass. */
  private static final int PREFIX = 12;
  /** Bytes of pixel data taken as one run. */
  static final int PIXEL_RUN = 48;
  /** Patient values shorter than this would match ordinary words; real ids are longer. */
  private static final int SHORTEST_IDENTITY = 4;
  /** Explicit VR little endian Pixel Data (7FE0,0010), tag bytes as written. */
  private static final byte[] PIXEL_DATA_TAG = {(byte) 0xE0, 0x7F, 0x10, 0x00};

  /** One place a secret appeared: which secret, in which encoding, where. */
  record Leak(String secret, String where) {
    @Override
    public String toString() {
      return secret + " in " + where;
    }
  }

  private record Needle(String text, String description) {}

  private final List<Needle> needles = new ArrayList<>();
  private final Map<String, List<Needle>> byPrefix = new HashMap<>();
  private final Set<String> secrets = new LinkedHashSet<>();

  /** The secrets of a simulation's output folder: the private keys under kits/, the DICOM files under data/. */
  static LeakScanner forRun(Path run) {
    return new LeakScanner().privateKeysUnder(run.resolve("kits")).dicomUnder(run.resolve("data"));
  }

  /** Adds every PEM file under {@code dir} that holds a private key. */
  LeakScanner privateKeysUnder(Path dir) {
    for (Path file : files(dir)) {
      String text = read(file);
      if (!PEM_PRIVATE_KEY.matcher(text).find()) {
        continue;
      }
      String name = "private key " + dir.relativize(file);
      secrets.add(name);
      for (String line : text.split("\\R")) {
        if (!line.startsWith("-----") && line.length() >= 40) {
          add(line, name + " (a PEM body line)");
        }
      }
      PrivateKey key = Pem.readPrivateKey(file);
      add(String.join("", text.replaceAll("-----[^-]+-----", "").split("\\s+")), name + " (its PEM body)");
      addBytes(key.getEncoded(), name + " (PKCS#8)");
      addBytes(secretValue(key), name + " (its secret value)");
    }
    return this;
  }

  /** Adds the Patient ID and Patient's Name of every DICOM file under {@code dir}, and two runs of its pixels. */
  LeakScanner dicomUnder(Path dir) {
    for (Path file : files(dir)) {
      if (!file.getFileName().toString().endsWith(".dcm")) {
        continue;
      }
      String header = new DICOM().getInfo(file.toString());
      for (String tag : List.of("0010,0020", "0010,0010")) {
        String value = value(header, tag);
        if (value != null && value.length() >= SHORTEST_IDENTITY) {
          String name = (tag.endsWith("20") ? "Patient ID " : "Patient's Name ") + "of " + dir.relativize(file);
          if (secrets.add(value)) {
            add(value, name);
          }
        }
      }
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      int pixels = pixelDataStart(bytes);
      if (pixels < 0) {
        continue;
      }
      String name = "pixel data of " + dir.relativize(file);
      secrets.add(name);
      addBytes(Arrays.copyOfRange(bytes, pixels, Math.min(bytes.length, pixels + PIXEL_RUN)), name + " (first run)");
      int middle = pixels + (bytes.length - pixels) / 2;
      addBytes(Arrays.copyOfRange(bytes, middle, Math.min(bytes.length, middle + PIXEL_RUN)), name + " (middle run)");
    }
    return this;
  }

  /** How many distinct secrets (keys, patient values, pixel data of files) are looked for. */
  int secrets() {
    return secrets.size();
  }

  /** Every leak in {@code text}; {@code where} names it in the result, with the line. */
  List<Leak> scan(String where, String text) {
    var leaks = new ArrayList<Leak>();
    var header = PEM_PRIVATE_KEY.matcher(text);
    while (header.find()) {
      leaks.add(new Leak("a PEM private key header", where + " line " + line(text, header.start())));
    }
    for (int i = 0; i + PREFIX <= text.length(); i++) {
      List<Needle> candidates = byPrefix.get(text.substring(i, i + PREFIX));
      if (candidates != null) {
        for (Needle n : candidates) {
          if (text.startsWith(n.text(), i)) {
            leaks.add(new Leak(n.description(), where + " line " + line(text, i)));
          }
        }
      }
    }
    for (Needle n : needles) {
      if (n.text().length() < PREFIX) {
        for (int i = text.indexOf(n.text()); i >= 0; i = text.indexOf(n.text(), i + 1)) {
          leaks.add(new Leak(n.description(), where + " line " + line(text, i)));
        }
      }
    }
    return leaks;
  }

  /** Whether {@code file} is text: no NUL byte in its first 8 KiB. Model checkpoints are binary; logs are not. */
  static boolean isText(Path file) {
    try (var in = Files.newInputStream(file)) {
      for (byte b : in.readNBytes(8192)) {
        if (b == 0) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The contents of {@code file} as ISO-8859-1, so that every byte is one character. */
  static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Regular files under {@code dir}, sorted. */
  static List<Path> files(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Offset of the first pixel byte after the last Pixel Data element header, or -1. */
  static int pixelDataStart(byte[] bytes) {
    for (int i = bytes.length - 12; i >= 0; i--) {
      if (bytes[i] == PIXEL_DATA_TAG[0] && bytes[i + 1] == PIXEL_DATA_TAG[1] && bytes[i + 2] == PIXEL_DATA_TAG[2]
          && bytes[i + 3] == PIXEL_DATA_TAG[3] && bytes[i + 4] == 'O') {
        return i + 12;
      }
    }
    return -1;
  }

  /**
   * Hex (both cases), raw, and base64 (standard and URL alphabets) starting at each of the first three bytes: a
   * base64 text of a longer buffer holding these bytes holds one of those three encodings, whatever their offset.
   */
  private void addBytes(byte[] bytes, String description) {
    add(HexFormat.of().formatHex(bytes), description + " as hex");
    add(HexFormat.of().withUpperCase().formatHex(bytes), description + " as HEX");
    add(new String(bytes, StandardCharsets.ISO_8859_1), description + " as raw bytes");
    for (int k = 0; k < 3; k++) {
      byte[] aligned = Arrays.copyOfRange(bytes, k, k + (bytes.length - k) / 3 * 3);
      add(Base64.getEncoder().withoutPadding().encodeToString(aligned), description + " as base64");
      add(Base64.getUrlEncoder().withoutPadding().encodeToString(aligned), description + " as base64url");
    }
  }

  private void add(String text, String description) {
    if (text.isEmpty()) {
      return;
    }
    var needle = new Needle(text, description);
    needles.add(needle);
    if (text.length() >= PREFIX) {
      byPrefix.computeIfAbsent(text.substring(0, PREFIX), k -> new ArrayList<>()).add(needle);
    }
  }

  /** The value that is secret on its own: EC's private scalar, RSA's private exponent; the encoding otherwise. */
  private static byte[] secretValue(PrivateKey key) {
    BigInteger secret = key instanceof ECPrivateKey ec ? ec.getS()
        : key instanceof RSAPrivateCrtKey rsa ? rsa.getPrivateExponent() : new BigInteger(1, key.getEncoded());
    byte[] bytes = secret.toByteArray();
    // BigInteger adds a sign byte when the top bit is set; the key's own encodings do not have it.
    return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  /** The value of {@code tag} ("GGGG,EEEE") in ImageJ's header listing, or null. */
  private static String value(String header, String tag) {
    if (header == null) {
      return null;
    }
    for (String line : header.split("\n")) {
      if (line.startsWith(tag)) {
        int colon = line.indexOf(": ");
        return colon < 0 ? null : line.substring(colon + 2).strip();
      }
    }
    return null;
  }

  private static int line(String text, int index) {
    int line = 1;
    for (int i = 0; i < index; i++) {
      line += text.charAt(i) == '\n' ? 1 : 0;
    }
    return line;
  }
}
