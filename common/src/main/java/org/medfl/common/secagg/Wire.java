package org.medfl.common.secagg;

import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The deterministic byte encoding of secure aggregation messages: a type tag, a version, then fields in a fixed order
 * (big-endian lengths, UTF-8 strings, little-endian int vectors).
 */
final class Wire {
  static final int VERSION = 1;
  /** Upper bound on any string or list read back, so a hostile length cannot make us allocate gigabytes. */
  private static final int MAX_ITEMS = 1 << 16;

  private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private Wire() {}

  /** Appends fields; {@link #toBytes()} gives the encoding. */
  static final class Writer {
    private final ByteArrayOutputStream out;

    Writer(int tag) {
      this(tag, 256);
    }

    Writer(int tag, int sizeHint) {
      out = new ByteArrayOutputStream(sizeHint);
      out.write(tag);
      out.write(VERSION);
    }

    /** A writer without tag and version, for byte strings that are hashed, signed or bound as AAD. */
    static Writer untagged() {
      return new Writer();
    }

    private Writer() {
      out = new ByteArrayOutputStream(128);
    }

    Writer int32(int value) {
      out.write(value >>> 24);
      out.write(value >>> 16);
      out.write(value >>> 8);
      out.write(value);
      return this;
    }

    Writer int64(long value) {
      return int32((int) (value >>> 32)).int32((int) value);
    }

    Writer float64(double value) {
      return int64(Double.doubleToLongBits(value));
    }

    Writer bytes(byte[] value) {
      int32(value.length);
      out.write(value, 0, value.length);
      return this;
    }

    Writer string(String value) {
      return bytes(value.getBytes(StandardCharsets.UTF_8));
    }

    Writer strings(List<String> values) {
      int32(values.size());
      values.forEach(this::string);
      return this;
    }

    Writer ints(int[] values) {
      int32(values.length);
      byte[] chunk = new byte[Math.min(values.length, 1 << 14) * 4];
      for (int start = 0; start < values.length; start += chunk.length / 4) {
        int n = Math.min(chunk.length / 4, values.length - start);
        for (int i = 0; i < n; i++) {
          INT_LE.set(chunk, i * 4, values[start + i]);
        }
        out.write(chunk, 0, n * 4);
      }
      return this;
    }

    byte[] toBytes() {
      return out.toByteArray();
    }
  }

  /** Reads fields back in the order they were written; any inconsistency is a {@link SecAggException}. */
  static final class Reader {
    private final byte[] data;
    private final String what;
    private int pos;

    /** Checks the tag and version of {@code what} (a message name used in errors). */
    Reader(byte[] data, int tag, String what) {
      this.data = data;
      this.what = what;
      if (data.length < 2 || data[0] != (byte) tag) {
        throw malformed("wrong message type");
      }
      if (data[1] != VERSION) {
        throw malformed("unsupported version " + data[1]);
      }
      pos = 2;
    }

    int int32() {
      need(4);
      int v = ((data[pos] & 0xff) << 24) | ((data[pos + 1] & 0xff) << 16) | ((data[pos + 2] & 0xff) << 8)
          | (data[pos + 3] & 0xff);
      pos += 4;
      return v;
    }

    long int64() {
      return ((long) int32() << 32) | (int32() & 0xffffffffL);
    }

    double float64() {
      return Double.longBitsToDouble(int64());
    }

    byte[] bytes() {
      int n = length(Integer.MAX_VALUE);
      need(n);
      byte[] v = new byte[n];
      System.arraycopy(data, pos, v, 0, n);
      pos += n;
      return v;
    }

    String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    List<String> strings() {
      int n = length(MAX_ITEMS);
      List<String> values = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        values.add(string());
      }
      return values;
    }

    /** A count of list items, bounded so that a forged count fails here. */
    int count() {
      return length(MAX_ITEMS);
    }

    int[] ints() {
      int n = length(Integer.MAX_VALUE / 4);
      need((long) n * 4);
      int[] v = new int[n];
      for (int i = 0; i < n; i++) {
        v[i] = (int) INT_LE.get(data, pos + i * 4);
      }
      pos += n * 4;
      return v;
    }

    /** Rejects trailing bytes, so that one message has exactly one encoding. */
    void end() {
      if (pos != data.length) {
        throw malformed((data.length - pos) + " trailing bytes");
      }
    }

    private int length(int max) {
      int n = int32();
      if (n < 0 || n > max) {
        throw malformed("length " + n + " out of range");
      }
      return n;
    }

    private void need(long n) {
      if (data.length - pos < n) {
        throw malformed("truncated");
      }
    }

    private SecAggException malformed(String why) {
      return new SecAggException("malformed " + what + ": " + why);
    }
  }
}
