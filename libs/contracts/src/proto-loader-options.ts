import type { Options } from '@grpc/proto-loader';
import { PROTO_ROOT } from './proto-paths.js';

/**
 * The one set of @grpc/proto-loader options for the whole mesh: NestJS's gRPC transport (server
 * `loader` option and clients) encodes and decodes with these at run time, while code is typed by
 * the ts-proto output. They must agree with the ts-proto options in proto/buf.gen.yaml
 * (STYLE.md rule 3); round-trip.spec.ts proves they do.
 */
export const protoLoaderOptions: Options = {
  // ts-proto turns snake_case fields into camelCase.
  keepCase: false,
  // ts-proto forceLong=number: int64 is a JS number (values beyond 2^53 throw in ts-proto).
  longs: Number,
  // ts-proto's enums are numeric (no stringEnums).
  enums: Number,
  // Scalars, repeated and map fields always present, as ts-proto's decode sets them. An unset
  // message field arrives as null: the generated types say `field?: T | null`
  // (useOptionals=messages, useNullAsOptional). Unset proto3 `optional` scalars and oneof
  // members stay absent in both views.
  defaults: true,
  arrays: true,
  objects: true,
  // No virtual oneof discriminator properties: ts-proto (oneof=properties) has none, so a
  // decoded object has exactly the keys of its generated type. Test which member is set with
  // `!== undefined`.
  oneofs: false,
  // google/protobuf/*.proto (Timestamp) are bundled with protobufjs and need no directory.
  includeDirs: [PROTO_ROOT],
};
