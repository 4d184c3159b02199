package io.infermon.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.capture.DType;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeIdentityTest {
    @TempDir
    Path dir;

    @Test
    void aModelFileIsNamedAfterItselfWithItsContentHashAsVersion() throws Exception {
        Path file = Files.write(dir.resolve("fraud.onnx"), new byte[] {1, 2, 3});
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3}));
        assertThat(OnnxRuntimeCaptureHandler.fromModelFile(file))
                .isEqualTo(new ModelIdentity("fraud", sha.substring(0, 12)));
        assertThat(ModelIdentity.contentHash(ByteBuffer.wrap(new byte[] {1, 2, 3}))).isEqualTo(sha.substring(0, 12));
    }

    @Test
    void aModelServerLayoutGivesTheDirectoryNameAndNumber() throws Exception {
        Path file = dir.resolve("fraud/3/model.onnx");
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[] {1});
        assertThat(OnnxRuntimeCaptureHandler.fromModelFile(file)).isEqualTo(new ModelIdentity("fraud", "3"));
    }

    @Test
    void aFileThatCannotBeReadHasNoVersion() {
        assertThat(OnnxRuntimeCaptureHandler.fromModelFile(dir.resolve("gone.onnx")))
                .isEqualTo(new ModelIdentity("gone", ""));
    }

    @Test
    void elementTypesMapToTensorFlowsNumbersByName() {
        assertThat(OnnxRuntimeApi.wireCode("ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT")).isEqualTo(DType.FLOAT.code());
        assertThat(OnnxRuntimeApi.wireCode("ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16")).isEqualTo(DType.HALF.code());
        assertThat(OnnxRuntimeApi.wireCode("ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64")).isEqualTo(DType.INT64.code());
        assertThat(OnnxRuntimeApi.wireCode("ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE")).isEqualTo(DType.DOUBLE.code());
        assertThat(OnnxRuntimeApi.wireCode("ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8")).isEqualTo(DType.UINT8.code());
        assertThat(OnnxRuntimeApi.wireCode("ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL")).isEqualTo(DType.BOOL.code());
        assertThat(OnnxRuntimeApi.wireCode("ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED")).isZero();
        assertThat(OnnxRuntimeApi.wireCode("ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT8E4M3FNUZ")).isZero();
        assertThat(LegacyTensorFlowApi.wireCode("FLOAT")).isEqualTo(DType.FLOAT.code());
        assertThat(LegacyTensorFlowApi.wireCode("INT64")).isEqualTo(DType.INT64.code());
        assertThat(LegacyTensorFlowApi.wireCode("STRING")).isEqualTo(DType.STRING.code());
    }
}
