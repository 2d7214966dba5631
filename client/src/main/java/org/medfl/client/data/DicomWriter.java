package org.medfl.client.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A minimal DICOM Part 10 writer, explicit VR little endian only, for the synthetic phantoms and the tests.
 * Ours because ImageJ 1.x cannot write DICOM (it saves TIFF with a DICOM header text). It writes what a reader
 * needs and nothing it does not: no sequences, no private tags, no character sets beyond ASCII.
 */
final class DicomWriter {

  /** Our implementation class UID, under the UUID-derived root 2.25 (PS3.5 section B.2). */
  private static final String IMPLEMENTATION_UID = uid("org.medfl.client.data.DicomWriter");
  private static final String IMPLEMENTATION_VERSION = "MEDFL_0_1";

  /** Tag, in ascending order as PS3.5 requires, to its encoded element (tag, VR, length, value). */
  private final Map<Integer, byte[]> elements = new TreeMap<>(Integer::compareUnsigned);
  private String sopClassUid = "1.2.840.10008.5.1.4.1.1.7"; // Secondary Capture until told otherwise
  private String sopInstanceUid = uid("unnamed");
  private String transferSyntax = TransferSyntax.EXPLICIT_LITTLE;

  /** A deterministic UID for {@code name}: "2.25." and the UUID of its bytes as a decimal integer. */
  static String uid(String name) {
    UUID u = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    var bytes = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
    return "2.25." + new BigInteger(1, bytes.array());
  }

  /** Sets the SOP Class and Instance UIDs, written both in the meta group and the data set. */
  DicomWriter sop(String classUid, String instanceUid) {
    sopClassUid = classUid;
    sopInstanceUid = instanceUid;
    return text(0x00080016, "UI", classUid).text(0x00080018, "UI", instanceUid);
  }

  /**
   * Claims another transfer syntax in the meta group while still writing explicit VR little endian: only for
   * tests that a reader refuses what the header says, whatever the bytes are.
   */
  DicomWriter claimTransferSyntax(String uid) {
    transferSyntax = uid;
    return this;
  }

  /** A text element (CS, LO, SH, DS, IS, UI, PN, ST, LT, DA, TM), padded to even length. */
  DicomWriter text(int tag, String vr, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    if (bytes.length % 2 != 0) {
      byte[] padded = new byte[bytes.length + 1];
      System.arraycopy(bytes, 0, padded, 0, bytes.length);
      padded[bytes.length] = (byte) (vr.equals("UI") ? 0 : ' ');
      bytes = padded;
    }
    elements.put(tag, element(tag, vr, bytes));
    return this;
  }

  /** An unsigned short (US) element. */
  DicomWriter us(int tag, int value) {
    elements.put(tag, element(tag, "US", le(2).putShort((short) value).array()));
    return this;
  }

  /** Pixel Data (7FE0,0010): OW for 16-bit samples, OB for 8-bit; padded to even length. */
  DicomWriter pixels(byte[] data, boolean words) {
    byte[] even = data.length % 2 == 0 ? data : java.util.Arrays.copyOf(data, data.length + 1);
    elements.put(0x7FE00010, element(0x7FE00010, words ? "OW" : "OB", even));
    return this;
  }

  /** {@link #encapsulated} under JPEG Baseline, each frame a JPEG stream. */
  DicomWriter jpegFrames(java.util.List<byte[]> frames, int fragmentsPerFrame, boolean offsetTable) {
    return encapsulated(TransferSyntax.JPEG_BASELINE, frames, fragmentsPerFrame, offsetTable);
  }

  /**
   * Encapsulated Pixel Data (PS3.5 section A.4) under the compressed transfer syntax {@code syntax}: a Basic Offset
   * Table (empty unless {@code offsetTable}), then each frame's bytes split into {@code fragmentsPerFrame} fragments.
   */
  DicomWriter encapsulated(String syntax, java.util.List<byte[]> frames, int fragmentsPerFrame, boolean offsetTable) {
    transferSyntax = syntax;
    var items = new ByteArrayOutputStream();
    var table = le(offsetTable ? 4 * frames.size() : 0);
    for (byte[] frame : frames) {
      if (offsetTable) {
        table.putInt(items.size());
      }
      byte[] even = frame.length % 2 == 0 ? frame : java.util.Arrays.copyOf(frame, frame.length + 1);
      int step = (even.length / fragmentsPerFrame + 1) & ~1;
      for (int from = 0; from < even.length; from += step) {
        int to = Math.min(even.length, from + step);
        items.writeBytes(le(8).putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(to - from).array());
        items.write(even, from, to - from);
      }
    }
    var value = new ByteArrayOutputStream();
    value.writeBytes(le(8).putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(table.capacity()).array());
    value.writeBytes(table.array());
    value.writeBytes(items.toByteArray());
    value.writeBytes(le(8).putShort((short) 0xFFFE).putShort((short) 0xE0DD).putInt(0).array());
    ByteBuffer b = le(12 + value.size());
    b.putShort((short) 0x7FE0).putShort((short) 0x0010).put("OB".getBytes(StandardCharsets.US_ASCII))
        .putShort((short) 0).putInt(-1).put(value.toByteArray());
    elements.put(0x7FE00010, b.array());
    return this;
  }

  /** An element already encoded (tag, VR, length, value): only for tests of header parsing, e.g. sequences. */
  DicomWriter encoded(int tag, byte[] element) {
    elements.put(tag, element.clone());
    return this;
  }

  /** Writes the preamble, the meta group and the data set to {@code file}. */
  void write(Path file) throws IOException {
    var meta = new ByteArrayOutputStream();
    meta.writeBytes(element(0x00020001, "OB", new byte[] {0, 1}));
    meta.writeBytes(element(0x00020002, "UI", padUid(sopClassUid)));
    meta.writeBytes(element(0x00020003, "UI", padUid(sopInstanceUid)));
    meta.writeBytes(element(0x00020010, "UI", padUid(transferSyntax)));
    meta.writeBytes(element(0x00020012, "UI", padUid(IMPLEMENTATION_UID)));
    meta.writeBytes(element(0x00020013, "SH", IMPLEMENTATION_VERSION.getBytes(StandardCharsets.US_ASCII)));
    var out = new ByteArrayOutputStream();
    out.writeBytes(new byte[DicomFileMeta.PREAMBLE]);
    out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(element(0x00020000, "UL", le(4).putInt(meta.size()).array()));
    meta.writeTo(out);
    elements.values().forEach(out::writeBytes);
    Files.write(file, out.toByteArray());
  }

  private static byte[] padUid(String uid) {
    byte[] bytes = uid.getBytes(StandardCharsets.US_ASCII);
    return bytes.length % 2 == 0 ? bytes : java.util.Arrays.copyOf(bytes, bytes.length + 1);
  }

  /** One explicit VR little endian element; OB, OW and friends take the 4-byte length form. */
  private static byte[] element(int tag, String vr, byte[] value) {
    boolean longForm = vr.startsWith("O") || vr.equals("UN") || vr.equals("UT") || vr.equals("SQ");
    return DicomFileMeta.explicitElement(tag, vr, value, longForm);
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
