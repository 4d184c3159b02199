package io.infermon.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Keeps the worked example in docs/wire-format.md true: its bytes are what the codec writes. */
class WireFormatDocTest {
    private static final Path DOC = Path.of("..", "docs", "wire-format.md");

    @Test
    void theDocumentedExampleIsWhatTheCodecWrites() throws Exception {
        SimpleCall call = new SimpleCall();
        call.captureTime = 1_795_478_400_000_000_000L; // 2026-11-24T00:00:00Z
        call.duration = 80_000L;
        call.version = "1";
        call.tensor("pixels", TensorRole.INPUT, DType.FLOAT, new long[] {1, 2},
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(2.0f).array());
        ByteBuffer record = call.record();
        byte[] actual = new byte[record.remaining()];
        record.get(0, actual);

        byte[] documented = documentedBytes(actual);

        assertThat(HexFormat.ofDelimiter(" ").formatHex(actual))
                .isEqualTo(HexFormat.ofDelimiter(" ").formatHex(documented));
        assertThat(CaptureCodec.decode(ByteBuffer.wrap(documented)).modelName()).isEqualTo("digits");
    }

    /**
     * The hex of the example block: on each line, byte pairs separated by one or two spaces, up to the three spaces
     * before the comment. The {@code xx} checksum bytes are taken from the codec's output.
     */
    private static byte[] documentedBytes(byte[] actual) throws Exception {
        String doc = Files.readString(DOC);
        Matcher block = Pattern.compile("## Example.*?```\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(block.find()).as("example block in " + DOC).isTrue();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : block.group(1).split("\n")) {
            Matcher hex = Pattern.compile("^((?:[0-9A-Fa-fx]{2}(?: {1,2}|$))+)").matcher(line);
            if (!hex.find()) {
                continue;
            }
            for (String b : hex.group(1).trim().split(" +")) {
                out.write(b.equals("xx") ? actual[out.size()] : Integer.parseInt(b, 16));
            }
        }
        return out.toByteArray();
    }
}
