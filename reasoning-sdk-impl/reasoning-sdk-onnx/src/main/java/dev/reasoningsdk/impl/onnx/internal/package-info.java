/**
 * Not API: the ONNX Runtime side's own helpers ({@link dev.reasoningsdk.impl.onnx.internal.TinyReasonerGraph}, the
 * tiny reasoner's decoder-with-past graph; the tensor names it shares with its runners).
 * The model-file helpers of this package (the external-data check, the model-folder rule) ship in
 * {@code reasoning-sdk-onnx-format}. Public for Java's sake only; they may change in any release.
 */
package dev.reasoningsdk.impl.onnx.internal;
