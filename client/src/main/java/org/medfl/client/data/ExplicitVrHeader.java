package org.medfl.client.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The top-level elements of an explicit VR little endian data set, read by us for the compressed transfer syntaxes
 * whose headers ImageJ does not parse (it stops after the meta group). It walks the file element by element,
 * stepping over sequences (defined or undefined length, nested), keeps the short values as text in ImageJ's form
 * ({@link DicomTags}), and stops at Pixel Data, whose value offset it records. A length that points past the end of
 * the file, or nesting deeper than any real file uses, is a corrupt header.
 */
final class ExplicitVrHeader {

  private static final int PIXEL_DATA = 0x7FE00010;
  private static final int ITEM = 0xFFFEE000;
  private static final int ITEM_END = 0xFFFEE00D;
  private static final int SEQUENCE_END = 0xFFFEE0DD;
  private static final long UNDEFINED = 0xFFFFFFFFL;
  private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN",
      "UR", "UT", "UV");
  /** Values longer than this are not header fields the reader needs (they are pixels, overlays, text blobs). */
  private static final int MAX_KEPT_VALUE = 1024;
  private static final int MAX_DEPTH = 32;
  /** The binary (US) elements the reader needs, whose type an implicit VR data set does not say. */
  private static final Set<Integer> IMPLICIT_US = Set.of(0x00280002, 0x00280006, 0x00280010, 0x00280011,
      0x00280100, 0x00280101, 0x00280102, 0x00280103);

  /** The elements found, and where Pixel Data's value starts and how long it says it is (-1: undefined). */
  record Parsed(DicomTags tags, long pixelDataOffset, long pixelDataLength) {}

  private final FileChannel channel;
  private final long size;
  private long position;

  private ExplicitVrHeader(FileChannel channel) throws IOException {
    this.channel = channel;
    this.size = channel.size();
  }

  /**
   * Parses {@code file} from the end of its preamble: the meta group and the data set, both explicit VR little
   * endian (which every encapsulated transfer syntax uses).
   */
  static Parsed read(Path file) throws IOException, DicomReader.RefusedException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      var header = new ExplicitVrHeader(channel);
      header.position = DicomFileMeta.PREAMBLE + 4;
      return header.topLevel();
    }
  }

  private Parsed topLevel() throws IOException, DicomReader.RefusedException {
    Map<Integer, String> values = new HashMap<>();
    Boolean implicit = null;
    while (position + 8 <= size) {
      int tag = tag(read(4));
      ByteBuffer vrAndLength = read(4);
      if (implicit == null && tag >>> 16 != 0x0002) {
        // Some writers put an implicit VR data set under an explicit transfer syntax; pydicom reads those too.
        implicit = !Character.isUpperCase(vrAndLength.get(0)) || !Character.isUpperCase(vrAndLength.get(1));
      }
      String vr;
      long length;
      if (Boolean.TRUE.equals(implicit)) {
        vr = IMPLICIT_US.contains(tag) ? "US" : length0(vrAndLength) == UNDEFINED ? "SQ" : "??";
        length = length0(vrAndLength);
      } else {
        vr = new String(new byte[] {vrAndLength.get(0), vrAndLength.get(1)}, StandardCharsets.US_ASCII);
        length = LONG_VRS.contains(vr) ? Integer.toUnsignedLong(read(4).getInt(0)) : vrAndLength.getShort(2) & 0xffff;
      }
      if (tag == PIXEL_DATA) {
        values.put(PIXEL_DATA, Long.toString(position));
        return new Parsed(DicomTags.of(values), position, length == UNDEFINED ? -1 : length);
      }
      if (length == UNDEFINED) {
        if (!vr.equals("SQ") && !vr.equals("UN")) {
          throw corrupt("element " + DicomFileMeta.hex(tag) + " (" + vr + ") has an undefined length");
        }
        // Undefined-length UN holds implicit VR data (PS3.5 section 6.2.2); SQ items keep the data set's VR form.
        skipSequence(Boolean.TRUE.equals(implicit) || vr.equals("UN"), 1);
        continue;
      }
      requireWithinFile(tag, length);
      if (!vr.equals("SQ") && length <= MAX_KEPT_VALUE) {
        values.putIfAbsent(tag, text(vr, read((int) length)));
      } else {
        position += length;
      }
    }
    return new Parsed(DicomTags.of(values), -1, -1);
  }

  private static long length0(ByteBuffer fourBytes) {
    return Integer.toUnsignedLong(fourBytes.getInt(0));
  }

  /** Steps over the items of an undefined-length sequence, up to and including its delimiter. */
  private void skipSequence(boolean implicit, int depth) throws IOException, DicomReader.RefusedException {
    if (depth > MAX_DEPTH) {
      throw corrupt("sequences nested deeper than " + MAX_DEPTH);
    }
    while (true) {
      int tag = tag(read(4));
      long length = Integer.toUnsignedLong(read(4).getInt(0));
      if (tag == SEQUENCE_END) {
        return;
      }
      if (tag != ITEM) {
        throw corrupt("expected a sequence item, found " + DicomFileMeta.hex(tag));
      }
      if (length == UNDEFINED) {
        skipItem(implicit, depth);
      } else {
        requireWithinFile(tag, length);
        position += length;
      }
    }
  }

  /** Steps over the elements of an undefined-length item, up to and including its delimiter. */
  private void skipItem(boolean implicit, int depth) throws IOException, DicomReader.RefusedException {
    while (true) {
      int tag = tag(read(4));
      if (tag == ITEM_END) {
        read(4);
        return;
      }
      long length;
      boolean nestedImplicit = implicit;
      if (implicit) {
        length = Integer.toUnsignedLong(read(4).getInt(0));
      } else {
        ByteBuffer vrAndLength = read(4);
        String vr = new String(new byte[] {vrAndLength.get(0), vrAndLength.get(1)}, StandardCharsets.US_ASCII);
        length = LONG_VRS.contains(vr) ? Integer.toUnsignedLong(read(4).getInt(0)) : vrAndLength.getShort(2) & 0xffff;
        nestedImplicit = vr.equals("UN");
      }
      if (length == UNDEFINED) {
        skipSequence(nestedImplicit, depth + 1);
      } else {
        requireWithinFile(tag, length);
        position += length;
      }
    }
  }

  private void requireWithinFile(int tag, long length) throws DicomReader.RefusedException {
    if (position + length > size) {
      throw corrupt("element " + DicomFileMeta.hex(tag) + " claims " + length + " bytes, past the end of the file");
    }
  }

  private ByteBuffer read(int count) throws IOException, DicomReader.RefusedException {
    if (position + count > size) {
      throw corrupt("the file ends inside its header");
    }
    ByteBuffer buffer = ByteBuffer.allocate(count).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw corrupt("the file ends inside its header");
      }
    }
    position += count;
    return buffer.flip();
  }

  private static int tag(ByteBuffer b) {
    return (b.getShort(0) & 0xffff) << 16 | (b.getShort(2) & 0xffff);
  }

  /** A value as ImageJ lists it: numbers in decimal (several joined by '\'), strings without their padding. */
  private static String text(String vr, ByteBuffer value) {
    int n = value.remaining();
    var joined = new StringBuilder();
    switch (vr) {
      case "US", "SS" -> {
        for (int i = 0; i + 2 <= n; i += 2) {
          joined.append(joined.length() > 0 ? "\\" : "").append(vr.equals("US")
              ? value.getShort(i) & 0xffff : value.getShort(i));
        }
      }
      case "UL", "SL" -> {
        for (int i = 0; i + 4 <= n; i += 4) {
          joined.append(joined.length() > 0 ? "\\" : "").append(vr.equals("UL")
              ? Integer.toUnsignedLong(value.getInt(i)) : value.getInt(i));
        }
      }
      default -> {
        byte[] bytes = new byte[n];
        value.get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1).replace("\0", "").strip();
      }
    }
    return joined.toString();
  }

  private static DicomReader.RefusedException corrupt(String what) {
    return new DicomReader.RefusedException("corrupt header: " + what);
  }
}
