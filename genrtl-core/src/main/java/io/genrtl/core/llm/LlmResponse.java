package io.genrtl.core.llm;

/**
 * What a call returned. {@code usage} is null when the provider did not report it: callers must then bill the
 * reserved worst case and flag it, never a silent zero. {@code providerRequestId} is the provider's request id
 * (headers {@code x-request-id} / {@code request-id}), kept for support; {@code responseId} the provider's object id.
 */
public record LlmResponse(
    String provider,
    String model,
    String text,
    LlmUsage usage,
    String stopReason,
    String providerRequestId,
    String responseId) {}
