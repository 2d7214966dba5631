package org.medfl.coordinator.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded, structure-aware mutator for protobuf messages: random messages built from descriptors, field-level
 * changes of valid messages, and byte-level damage (bit flips, truncation, insertion, duplication, bogus lengths).
 *
 * <p>Jazzer would be the coverage-guided choice, but it is not available in this offline build; a seeded mutator is
 * reproducible from its seed alone, which is what a failing CI run needs.
 */
public final class ProtoMutator {
  /** Integers that tend to break length checks, offsets and arithmetic. */
  private static final long[] INTERESTING_LONGS = {0, 1, -1, 2, 3, 4, 7, 8, 63, 64, 255, 256, 1023, 1024, 4096,
      65_535, 65_536, 1 << 20, (1 << 20) + 1, 4 << 20, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE + 1L,
      Integer.MAX_VALUE - 8L, 1L << 32, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE / 4};
  private static final double[] INTERESTING_DOUBLES = {0.0, -0.0, 1.0, -1.0, 0.5, 1e-300, 1e300, Double.MAX_VALUE,
      -Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
      Float.MAX_VALUE, 1e20};
  private static final String[] INTERESTING_STRINGS = {"", " ", "\u0000", "..", "../../etc/passwd", "a/b", "\\",
      "job-", "NaN", "-1", "%s%s%n", "\uD800", "\uFFFF", "é∂ƒ😀", "\n\n", "{}", "[", "rounds: -1", "null", "~",
      "*anchor", "&a [*a, *a]", "0x7fffffff", "                                                                 "};

  private final Random random;

  /** A mutator whose every choice follows from {@code random}. */
  public ProtoMutator(Random random) {
    this.random = random;
  }

  /** The random source, for callers that make choices of their own. */
  public Random random() {
    return random;
  }

  /** A message of type {@code type} with random fields set to random, often hostile, values. */
  public DynamicMessage randomMessage(Descriptor type) {
    return randomMessage(type, 0);
  }

  private DynamicMessage randomMessage(Descriptor type, int depth) {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    for (FieldDescriptor field : type.getFields()) {
      if (random.nextInt(3) == 0) {
        continue;
      }
      if (field.getRealContainingOneof() != null && random.nextBoolean()) {
        continue;
      }
      if (field.isRepeated()) {
        int n = random.nextInt(10) == 0 ? 50 + random.nextInt(200) : random.nextInt(5);
        for (int i = 0; i < n; i++) {
          builder.addRepeatedField(field, randomValue(field, depth));
        }
      } else {
        builder.setField(field, randomValue(field, depth));
      }
    }
    return builder.build();
  }

  /** A random value for one field (one element, for a repeated field). */
  private Object randomValue(FieldDescriptor field, int depth) {
    return switch (field.getJavaType()) {
      case INT -> (int) randomLong();
      case LONG -> randomLong();
      case FLOAT -> (float) randomDouble();
      case DOUBLE -> randomDouble();
      case BOOLEAN -> random.nextBoolean();
      case STRING -> randomString();
      case BYTE_STRING -> ByteString.copyFrom(randomBytes());
      case ENUM -> randomEnum(field.getEnumType());
      case MESSAGE -> depth >= 3 ? DynamicMessage.getDefaultInstance(field.getMessageType())
          : randomMessage(field.getMessageType(), depth + 1);
    };
  }

  /** A known value or, a third of the time, a number the enum does not define (proto3 enums are open). */
  private Object randomEnum(EnumDescriptor type) {
    if (random.nextInt(3) == 0) {
      return type.findValueByNumberCreatingIfUnknown((int) randomLong());
    }
    return type.getValues().get(random.nextInt(type.getValues().size()));
  }

  /** An interesting integer, a small one, or any. */
  public long randomLong() {
    return switch (random.nextInt(4)) {
      case 0 -> INTERESTING_LONGS[random.nextInt(INTERESTING_LONGS.length)];
      case 1 -> -INTERESTING_LONGS[random.nextInt(INTERESTING_LONGS.length)];
      case 2 -> random.nextInt(100);
      default -> random.nextLong();
    };
  }

  private double randomDouble() {
    return switch (random.nextInt(3)) {
      case 0 -> INTERESTING_DOUBLES[random.nextInt(INTERESTING_DOUBLES.length)];
      case 1 -> random.nextDouble();
      default -> Double.longBitsToDouble(random.nextLong());
    };
  }

  /** An interesting string, random code points, or a long run. */
  public String randomString() {
    switch (random.nextInt(5)) {
      case 0:
        return INTERESTING_STRINGS[random.nextInt(INTERESTING_STRINGS.length)];
      case 1: {
        StringBuilder text = new StringBuilder();
        int n = random.nextInt(40);
        for (int i = 0; i < n; i++) {
          text.appendCodePoint(random.nextInt(0x2FFFF));
        }
        return text.toString();
      }
      case 2:
        return random.nextInt(4) == 0 ? longString() : "x".repeat(random.nextInt(300));
      case 3: {
        char[] hex = new char[random.nextBoolean() ? 64 : random.nextInt(70)];
        for (int i = 0; i < hex.length; i++) {
          hex[i] = "0123456789abcdefABCDEF".charAt(random.nextInt(22));
        }
        return new String(hex);
      }
      default:
        return new String(randomBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** Text of 100 to 200 thousand characters: a refusal that quotes it must not carry it all along. */
  public String longString() {
    return "x".repeat(100_000 + random.nextInt(100_000));
  }

  /** Random bytes: usually short, sometimes a whole number of floats, now and then large. */
  public byte[] randomBytes() {
    int length = switch (random.nextInt(8)) {
      case 0 -> 0;
      case 1 -> 4 * random.nextInt(300);
      case 2 -> 1 + random.nextInt(7);
      case 3 -> random.nextInt(20) == 0 ? 1 << 20 : 4096 + random.nextInt(8192);
      default -> random.nextInt(200);
    };
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  /** Bytes that do not parse as any protobuf message: a field with wire type 7, or a length beyond the end. */
  public byte[] unparseable() {
    byte[] tail = randomBytes();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (random.nextBoolean()) {
      out.write(0x0F); // field 1, wire type 7: no such wire type
    } else {
      out.write(0x0A); // field 1, length-delimited, claiming far more bytes than follow
      writeVarint(out, tail.length + 1 + random.nextInt(Integer.MAX_VALUE - tail.length - 1));
    }
    out.writeBytes(tail);
    return out.toByteArray();
  }

  /**
   * {@code valid} with one to three changes: a field set to a random value, or the contents of a string or bytes
   * field damaged, anywhere in the message tree. The result is still a well-formed message.
   */
  public Message mutateFields(Message valid) {
    if (valid.getDescriptorForType().getFields().isEmpty()) {
      return valid;
    }
    Message.Builder builder = valid.toBuilder();
    int changes = 1 + random.nextInt(3);
    for (int i = 0; i < changes; i++) {
      mutateOneField(builder, 0);
    }
    return builder.build();
  }

  private void mutateOneField(Message.Builder builder, int depth) {
    List<FieldDescriptor> fields = builder.getDescriptorForType().getFields();
    FieldDescriptor field = fields.get(random.nextInt(fields.size()));
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated() && depth < 3
        && random.nextBoolean() && !field.getMessageType().getFields().isEmpty()) {
      // Works for generated and dynamic builders alike (the latter have no getFieldBuilder).
      Message.Builder child = builder.newBuilderForField(field).mergeFrom((Message) builder.getField(field));
      mutateOneField(child, depth + 1);
      builder.setField(field, child.build());
      return;
    }
    if (field.isRepeated()) {
      if (random.nextBoolean() || builder.getRepeatedFieldCount(field) == 0) {
        builder.addRepeatedField(field, typedValue(builder, field, depth));
      } else {
        builder.clearField(field);
      }
      return;
    }
    Object current = builder.getField(field);
    if (current instanceof ByteString bytes && random.nextBoolean()) {
      builder.setField(field, ByteString.copyFrom(mutateBytes(bytes.toByteArray())));
    } else if (current instanceof String text && random.nextBoolean()) {
      builder.setField(field, new String(mutateBytes(text.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
    } else if (random.nextInt(5) == 0) {
      builder.clearField(field);
    } else {
      builder.setField(field, typedValue(builder, field, depth));
    }
  }

  /** A random value of the field's type, as the (generated or dynamic) builder wants it. */
  private Object typedValue(Message.Builder builder, FieldDescriptor field, int depth) {
    Object value = randomValue(field, depth);
    if (value instanceof DynamicMessage dynamic) {
      // Generated builders refuse a DynamicMessage; re-parse it into the builder's own type.
      try {
        return builder.newBuilderForField(field).mergeFrom(dynamic.toByteString()).build();
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("a message we just serialized does not parse", e);
      }
    }
    return value;
  }

  /**
   * {@code bytes} damaged one to four times: bit flips, interesting bytes, truncation, insertion, deletion, a slice
   * duplicated (in protobuf, a repeated or overriding field), or a tag with a bogus length appended.
   */
  public byte[] mutateBytes(byte[] bytes) {
    byte[] out = bytes;
    int rounds = 1 + random.nextInt(4);
    for (int i = 0; i < rounds; i++) {
      out = mutateOnce(out);
    }
    return out;
  }

  private byte[] mutateOnce(byte[] in) {
    int n = in.length;
    switch (random.nextInt(8)) {
      case 0: {
        if (n == 0) {
          return insert(in, 0, randomSmallBytes());
        }
        byte[] out = in.clone();
        int at = random.nextInt(n);
        out[at] ^= (byte) (1 << random.nextInt(8));
        return out;
      }
      case 1: {
        if (n == 0) {
          return new byte[] {(byte) 0xFF};
        }
        byte[] out = in.clone();
        byte[] values = {0, (byte) 0xFF, 0x7F, (byte) 0x80, 0x01, 0x0A, 0x12};
        out[random.nextInt(n)] = values[random.nextInt(values.length)];
        return out;
      }
      case 2:
        return Arrays.copyOf(in, n == 0 ? 0 : random.nextInt(n));
      case 3:
        return insert(in, n == 0 ? 0 : random.nextInt(n + 1), randomSmallBytes());
      case 4: {
        if (n < 2) {
          return in;
        }
        int from = random.nextInt(n);
        int to = from + random.nextInt(n - from);
        byte[] out = new byte[n - (to - from)];
        System.arraycopy(in, 0, out, 0, from);
        System.arraycopy(in, to, out, from, n - to);
        return out;
      }
      case 5: {
        if (n == 0) {
          return in;
        }
        int from = random.nextInt(n);
        int length = 1 + random.nextInt(n - from);
        return insert(in, random.nextInt(n + 1), Arrays.copyOfRange(in, from, from + length));
      }
      case 6: {
        // A whole copy appended: for protobuf, every field repeated or overridden by its twin.
        byte[] out = Arrays.copyOf(in, 2 * n);
        System.arraycopy(in, 0, out, n, n);
        return out;
      }
      default: {
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        writeVarint(tail, ((1 + random.nextInt(20)) << 3) | 2);
        writeVarint(tail, randomLong() & 0xFFFFFFFFL);
        return insert(in, n, tail.toByteArray());
      }
    }
  }

  private byte[] randomSmallBytes() {
    byte[] bytes = new byte[1 + random.nextInt(16)];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] insert(byte[] in, int at, byte[] piece) {
    byte[] out = new byte[in.length + piece.length];
    System.arraycopy(in, 0, out, 0, at);
    System.arraycopy(piece, 0, out, at, piece.length);
    System.arraycopy(in, at, out, at + piece.length, in.length - at);
    return out;
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  /** Picks one element. */
  public <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }

  /** A shuffled copy. */
  public <T> List<T> shuffled(List<T> items) {
    List<T> copy = new ArrayList<>(items);
    java.util.Collections.shuffle(copy, random);
    return copy;
  }
}
