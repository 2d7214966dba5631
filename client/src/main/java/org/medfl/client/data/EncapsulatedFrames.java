package org.medfl.client.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The compressed bytes of each frame of encapsulated Pixel Data (PS3.5 section A.4), whatever the compression: the
 * item holding the Basic Offset Table, then fragments, then a sequence delimiter. A frame is all fragments of a
 * single-frame image, one fragment of a multi-frame image with one per frame, or the fragments the Basic Offset
 * Table groups together. {@link JpegFrames} and {@link RleFrames} decode what this returns.
 */
final class EncapsulatedFrames {

  private static final int ITEM = 0xFFFEE000;
  private static final int SEQUENCE_END = 0xFFFEE0DD;
  /** More fragments than any real file has; the list of them must not grow with a hostile file's size. */
  private static final int MAX_FRAGMENTS = 100_000;

  private EncapsulatedFrames() {}

  /** One fragment: where its bytes start in the file, how many, and its offset as the Basic Offset Table counts. */
  private record Fragment(long position, int length, long tableOffset) {}

  /**
   * The compressed bytes of the frames {@code wanted} (0-based) out of {@code frameCount}, from the pixel data value
   * at {@code offset}.
   *
   * @param convert how to convert a file that cannot be read, appended to every refusal ("; convert it with ...")
   */
  static List<byte[]> read(FileChannel channel, long offset, int frameCount, int[] wanted, String convert)
      throws IOException, DicomReader.RefusedException {
    long position = offset;
    long[] table = null;
    List<Fragment> fragments = new ArrayList<>();
    long firstFragment = -1;
    while (true) {
      ByteBuffer head = readAt(channel, position, 8, convert);
      int tag = (head.getShort(0) & 0xffff) << 16 | (head.getShort(2) & 0xffff);
      long length = Integer.toUnsignedLong(head.getInt(4));
      position += 8;
      if (tag == SEQUENCE_END) {
        break;
      }
      if (tag != ITEM || length > Integer.MAX_VALUE || position + length > channel.size()) {
        throw new DicomReader.RefusedException("corrupt or truncated encapsulated pixel data (item "
            + (fragments.size() + 1) + ")" + convert);
      }
      if (table == null) {
        table = offsetTable(readAt(channel, position, (int) length, convert));
        firstFragment = position + length;
      } else {
        if (fragments.size() == MAX_FRAGMENTS) {
          throw new DicomReader.RefusedException("more than " + MAX_FRAGMENTS + " pixel data fragments" + convert);
        }
        fragments.add(new Fragment(position, (int) length, position - 8 - firstFragment));
      }
      position += length;
    }
    if (fragments.isEmpty()) {
      throw new DicomReader.RefusedException("encapsulated pixel data holds no fragments" + convert);
    }
    List<byte[]> frames = new ArrayList<>();
    for (int frame : wanted) {
      frames.add(concatenate(channel, fragmentsOf(frame, frameCount, fragments, table, convert), convert));
    }
    return frames;
  }

  private static List<Fragment> fragmentsOf(int frame, int frameCount, List<Fragment> fragments, long[] table,
      String convert) throws DicomReader.RefusedException {
    if (frameCount == 1) {
      return fragments;
    }
    if (fragments.size() == frameCount) {
      return List.of(fragments.get(frame));
    }
    if (table.length == frameCount) {
      long from = table[frame];
      long to = frame + 1 < frameCount ? table[frame + 1] : Long.MAX_VALUE;
      List<Fragment> mine = fragments.stream().filter(f -> f.tableOffset() >= from && f.tableOffset() < to).toList();
      if (!mine.isEmpty() && mine.get(0).tableOffset() == from) {
        return mine;
      }
    }
    throw new DicomReader.RefusedException(fragments.size() + " pixel data fragments for " + frameCount
        + " frames and no Basic Offset Table that divides them" + convert);
  }

  private static long[] offsetTable(ByteBuffer table) {
    long[] offsets = new long[table.remaining() / 4];
    for (int k = 0; k < offsets.length; k++) {
      offsets[k] = Integer.toUnsignedLong(table.getInt(4 * k));
    }
    return offsets;
  }

  private static byte[] concatenate(FileChannel channel, List<Fragment> fragments, String convert)
      throws IOException, DicomReader.RefusedException {
    var out = new ByteArrayOutputStream();
    for (Fragment f : fragments) {
      ByteBuffer bytes = readAt(channel, f.position(), f.length(), convert);
      out.write(bytes.array(), 0, f.length());
    }
    return out.toByteArray();
  }

  private static ByteBuffer readAt(FileChannel channel, long position, int count, String convert)
      throws IOException, DicomReader.RefusedException {
    if (position + count > channel.size()) {
      throw new DicomReader.RefusedException("file is truncated inside its encapsulated pixel data" + convert);
    }
    ByteBuffer buffer = ByteBuffer.allocate(count).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new DicomReader.RefusedException("file is truncated inside its encapsulated pixel data" + convert);
      }
    }
    return buffer.flip();
  }
}
