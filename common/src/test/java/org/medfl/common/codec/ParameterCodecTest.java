package org.medfl.common.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.medfl.proto.v1.ModelChunk;
import org.medfl.proto.v1.VectorHeader;

class ParameterCodecTest {

  private static float[] randomVector(int n, long seed) {
    var rnd = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  private static List<ModelChunk> chunks(float[] v, int chunkBytes) {
    var out = new ArrayList<ModelChunk>();
    ParameterCodec.writeChunks(v, chunkBytes, out::add);
    return out;
  }

  @Test
  void largeVectorRoundTripsThroughMebibyteChunks() throws CodecException {
    // given 10M floats = 40,000,000 bytes: 38 full 1 MiB chunks and a short last one
    float[] v = randomVector(10_000_000, 1);
    VectorHeader header = ParameterCodec.header(v);
    List<ModelChunk> chunks = chunks(v, ParameterCodec.MAX_CHUNK_BYTES);

    // when
    var assembler = new VectorAssembler(header, v.length);
    for (ModelChunk c : chunks) {
      assembler.accept(c);
    }
    float[] back = assembler.finish();

    // then
    assertEquals(39, chunks.size());
    assertEquals(1 << 20, chunks.get(0).getData().size());
    assertEquals(10_000_000L, header.getLength());
    assertArrayEquals(v, back);
  }

  @Test
  void headerDigestIsSha256OfLittleEndianBytes() {
    // given 1.0f is 0x3f800000, little-endian bytes 00 00 80 3f
    float[] v = {1.0f};

    // when
    VectorHeader header = ParameterCodec.header(v);

    // then: sha256 of 00 00 80 3f, computed with `printf '\x00\x00\x80\x3f' | sha256sum`
    assertEquals(1, header.getVersion());
    assertEquals("e00e5eb9444182f352323374ef4e08ebcb784725fdd4fd612d7730540b3e0c8c", header.getSha256());
    assertEquals(List.of(ByteString.copyFrom(new byte[] {0, 0, (byte) 0x80, 0x3f})),
        chunks(v, 4).stream().map(ModelChunk::getData).toList());
  }

  @Test
  void chunkSizeIsClampedAndRoundedToWholeFloats() {
    // given
    float[] v = randomVector(10, 2);

    // when
    List<ModelChunk> tiny = chunks(v, 1);
    List<ModelChunk> odd = chunks(v, 10);

    // then
    assertEquals(10, tiny.size());
    assertEquals(List.of(0L, 8L, 16L, 24L, 32L), odd.stream().map(ModelChunk::getOffset).toList());
  }

  @Test
  void tamperedChunkFailsTheDigest() throws CodecException {
    // given
    float[] v = randomVector(1000, 3);
    VectorHeader header = ParameterCodec.header(v);
    List<ModelChunk> chunks = chunks(v, 1024);
    byte[] bytes = chunks.get(1).getData().toByteArray();
    bytes[17] ^= 1;
    chunks.set(1, chunks.get(1).toBuilder().setData(ByteString.copyFrom(bytes)).build());
    var assembler = new VectorAssembler(header, v.length);
    for (ModelChunk c : chunks) {
      assembler.accept(c);
    }

    // when
    var e = assertThrows(CodecException.class, assembler::finish);

    // then
    assertEquals(true, e.getMessage().startsWith("update digest mismatch: header says "
        + header.getSha256().substring(0, 12) + "…, content hashes to "), e.getMessage());
    assertThrows(CodecException.class, assembler::finish);
  }

  @Test
  void chunkAtWrongOffsetIsRefused() throws CodecException {
    // given
    float[] v = randomVector(100, 4);
    List<ModelChunk> chunks = chunks(v, 40);
    var assembler = new VectorAssembler(ParameterCodec.header(v), v.length);
    assembler.accept(chunks.get(0));

    // when
    var e = assertThrows(CodecException.class, () -> assembler.accept(chunks.get(2)));

    // then
    assertEquals("chunk offset 80 does not follow the 40 bytes received so far", e.getMessage());
  }

  @Test
  void chunkPastTheEndIsRefused() throws CodecException {
    // given
    float[] v = randomVector(3, 5);
    var assembler = new VectorAssembler(ParameterCodec.header(v), v.length);

    // when
    var e = assertThrows(CodecException.class, () -> assembler.accept(
        ModelChunk.newBuilder().setOffset(0).setData(ByteString.copyFrom(new byte[16])).build()));

    // then
    assertEquals("chunk at offset 0 overflows the vector: 16 bytes received, header says 12", e.getMessage());
  }

  @Test
  void chunkOfPartialFloatIsRefused() throws CodecException {
    // given
    float[] v = randomVector(3, 6);
    var assembler = new VectorAssembler(ParameterCodec.header(v), v.length);

    // when
    var e = assertThrows(CodecException.class, () -> assembler.accept(
        ModelChunk.newBuilder().setOffset(0).setData(ByteString.copyFrom(new byte[5])).build()));

    // then
    assertEquals("chunk at offset 0 holds 5 bytes, not a whole number of float32 values", e.getMessage());
  }

  @Test
  void shortVectorIsRefused() throws CodecException {
    // given
    float[] v = randomVector(100, 7);
    var assembler = new VectorAssembler(ParameterCodec.header(v), v.length);
    assembler.accept(chunks(v, 200).get(0));

    // when
    var e = assertThrows(CodecException.class, assembler::finish);

    // then
    assertEquals("vector is incomplete: received 200 of 400 bytes", e.getMessage());
  }

  @Test
  void headerLongerThanAllowedIsRefusedBeforeAllocating() {
    // given
    VectorHeader huge = ParameterCodec.header(new float[1]).toBuilder().setLength(4_000_000_000L).build();

    // when
    var e = assertThrows(CodecException.class, () -> new VectorAssembler(huge, 1_663_370));

    // then
    assertEquals("vector length 4000000000 is outside the accepted range 0..1663370", e.getMessage());
  }

  @Test
  void otherHeaderVersionIsRefused() {
    // given
    VectorHeader v2 = ParameterCodec.header(new float[1]).toBuilder().setVersion(2).build();

    // when
    var e = assertThrows(CodecException.class, () -> new VectorAssembler(v2, 10));

    // then
    assertEquals("vector header version 2 is not supported; expected 1", e.getMessage());
  }

  @Test
  void firstNonFiniteFindsNanAndInfinity() {
    // given
    float[] clean = {0f, -1f, Float.MAX_VALUE};
    float[] nan = {0f, 1f, Float.NaN, Float.POSITIVE_INFINITY};
    float[] inf = {Float.NEGATIVE_INFINITY};

    // when / then
    assertEquals(OptionalInt.empty(), ParameterCodec.firstNonFinite(clean));
    assertEquals(OptionalInt.of(2), ParameterCodec.firstNonFinite(nan));
    assertEquals(OptionalInt.of(0), ParameterCodec.firstNonFinite(inf));
  }
}
