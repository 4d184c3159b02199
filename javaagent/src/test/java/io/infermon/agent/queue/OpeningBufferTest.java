package io.infermon.agent.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class OpeningBufferTest {
    /** A record of {@code length} bytes, each byte {@code (seed + i)}. */
    private static UnsafeBuffer record(int seed, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i);
        }
        return new UnsafeBuffer(bytes);
    }

    private static List<byte[]> replayed(OpeningBuffer buffer) {
        List<byte[]> out = new ArrayList<>();
        buffer.replay((ByteBuffer b, int length) -> {
            byte[] copy = new byte[length];
            b.get(0, copy);
            out.add(copy);
        });
        return out;
    }

    @Test
    void givesBackEveryRecordInOrderAcrossChunksAndRefusesPastItsMaximum() {
        // chunks of 100 bytes: 4 + 60 fits, the next 4 + 60 does not and opens a chunk (which 4 + 30 joins), one of
        // 4 + 150 gets one of its own, the last two share a fourth: 454 bytes in all
        int[] lengths = {60, 60, 30, 150, 1, 36};
        try (OpeningBuffer buffer = new OpeningBuffer(500, 100)) {
            for (int i = 0; i < lengths.length; i++) {
                assertThat(buffer.add(record(i * 10, lengths[i]), 0, lengths[i])).as("record %d", i).isTrue();
            }
            // a fifth chunk would pass the 500 bytes: refused, and nothing of it kept
            assertThat(buffer.add(record(99, 99), 0, 99)).isFalse();
            assertThat(buffer.records()).isEqualTo(lengths.length);

            List<byte[]> back = replayed(buffer);
            assertThat(back).hasSize(lengths.length);
            for (int i = 0; i < lengths.length; i++) {
                byte[] expected = new byte[lengths[i]];
                record(i * 10, lengths[i]).getBytes(0, expected);
                assertThat(back.get(i)).as("record %d", i).isEqualTo(expected);
            }
        }
    }

    @Test
    void takesTheRecordFromWhereItIsInTheRing() {
        UnsafeBuffer ring = record(0, 200);
        try (OpeningBuffer buffer = new OpeningBuffer(1 << 20, 1 << 10)) {
            assertThat(buffer.add(ring, 50, 20)).isTrue();
            assertThat(replayed(buffer)).singleElement().satisfies(b -> {
                assertThat(b).hasSize(20);
                assertThat(b[0]).isEqualTo((byte) 50);
                assertThat(b[19]).isEqualTo((byte) 69);
            });
        }
    }
}
