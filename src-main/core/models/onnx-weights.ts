import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { UserError, errorMessage } from '../errors.js';
import { addCounts, countNumbers, countRawBytes, sparsityOf, type ZeroCount } from './weight-zeros.js';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;

/** Bytes per element and whether it is a float, for the types weights come in. */
const ELEMENT: Partial<Record<number, { size: number; float: boolean }>> = {
  [DataType.FLOAT]: { size: 4, float: true },
  [DataType.DOUBLE]: { size: 8, float: true },
  [DataType.FLOAT16]: { size: 2, float: true },
  [DataType.BFLOAT16]: { size: 2, float: true },
  [DataType.INT8]: { size: 1, float: false },
  [DataType.UINT8]: { size: 1, float: false },
  [DataType.INT16]: { size: 2, float: false },
  [DataType.UINT16]: { size: 2, float: false },
  [DataType.INT32]: { size: 4, float: false },
  [DataType.UINT32]: { size: 4, float: false },
  [DataType.INT64]: { size: 8, float: false },
  [DataType.UINT64]: { size: 8, float: false },
};

type Tensor = onnxProto.onnx.ITensorProto;

function rank(tensor: Tensor): number {
  return tensor.dims?.length ?? 0;
}

function externalBytes(tensor: Tensor, modelFile: string): Uint8Array {
  const entries = new Map((tensor.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new UserError(`${modelFile}: tensor '${tensor.name ?? ''}' has external data without a location`);
  const file = path.resolve(path.dirname(modelFile), location);
  const offset = Number(entries.get('offset') ?? 0);
  const bytes = fs.readFileSync(file);
  const length = entries.has('length') ? Number(entries.get('length')) : bytes.length - offset;
  return bytes.subarray(offset, offset + length);
}

function countTensor(tensor: Tensor, modelFile: string): ZeroCount {
  const element = ELEMENT[tensor.dataType ?? 0];
  if (!element) return { zeros: 0, total: 0 };
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) return countRawBytes(externalBytes(tensor, modelFile), element.size, element.float);
  if (tensor.rawData && tensor.rawData.length > 0) return countRawBytes(tensor.rawData, element.size, element.float);
  if (tensor.floatData?.length) return countNumbers(tensor.floatData);
  if (tensor.doubleData?.length) return countNumbers(tensor.doubleData);
  // float16, int8...int32 values are kept in int32Data (float16 as its bits: -0 is 0x8000)
  if (tensor.int32Data?.length) return countNumbers(tensor.dataType === DataType.FLOAT16 || tensor.dataType === DataType.BFLOAT16 ? tensor.int32Data.map((v) => v & 0x7fff) : tensor.int32Data);
  const longs = tensor.int64Data?.length ? tensor.int64Data : tensor.uint64Data;
  if (longs?.length) return countNumbers(longs.map((v) => Number(v)));
  return { zeros: 0, total: 0 };
}

/**
 * Reads an ONNX file's weights: its initializers and Constant nodes' tensors (some
 * exporters keep weights there) of rank >= 2, in every graph of the model.
 */
export function onnxZeroCount(modelFile: string, bytes: Uint8Array = fs.readFileSync(modelFile)): ZeroCount {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new UserError(`${modelFile}: not an ONNX model (${errorMessage(error)})`);
  }
  if (!model.graph) throw new UserError(`${modelFile}: not an ONNX model (no graph)`);
  let count: ZeroCount = { zeros: 0, total: 0 };
  const visit = (graph: onnxProto.onnx.IGraphProto): void => {
    for (const t of graph.initializer ?? []) if (rank(t) >= 2) count = addCounts(count, countTensor(t, modelFile));
    for (const node of graph.node ?? []) {
      for (const attribute of node.attribute ?? []) {
        if (node.opType === 'Constant' && attribute.t && rank(attribute.t) >= 2) count = addCounts(count, countTensor(attribute.t, modelFile));
        if (attribute.g) visit(attribute.g);
        for (const g of attribute.graphs ?? []) visit(g);
      }
    }
  };
  visit(model.graph);
  return count;
}

export function onnxSparsity(modelFile: string): number {
  return sparsityOf(onnxZeroCount(modelFile));
}
