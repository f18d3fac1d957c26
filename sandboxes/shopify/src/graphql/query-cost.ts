// Shopify's calculated query cost, approximated from its documented rules
// (shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits):
//   scalar and enum fields cost 0, object fields 1 (plus their selections),
//   a connection costs 2 + pageSize × (1 + cost of one node), pageSize = first ?? last,
//   every mutation root field costs 10 (its payload selection is not added).
// Requested cost uses the page size asked for; actual cost uses the nodes returned.
import {
  getNamedType,
  getOperationAST,
  GraphQLInt,
  isLeafType,
  isObjectType,
  Kind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

export const MUTATION_COST = 10;
export const SINGLE_QUERY_MAX_COST = 1000;

type Data = Record<string, unknown> | null | undefined;

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /** Walk the returned data (actual cost) instead of the requested page sizes. */
  actual: boolean;
}

export interface CostInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

export function requestedQueryCost(input: CostInput): number {
  return operationCost(input, false, undefined);
}

export function actualQueryCost(input: CostInput, data: Data): number {
  return operationCost(input, true, data);
}

function operationCost(input: CostInput, actual: boolean, data: Data): number {
  const operation = getOperationAST(input.document, input.operationName ?? undefined);
  if (!operation) return 0;
  const walk: Walk = {
    schema: input.schema,
    fragments: new Map(
      input.document.definitions
        .filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)
        .map((fragment) => [fragment.name.value, fragment]),
    ),
    variables: input.variables ?? {},
    actual,
  };
  if (operation.operation === 'mutation') {
    const fields = collectFields(walk, operation.selectionSet).filter((field) => !field.name.value.startsWith('__'));
    // A mutation that did not run (data null after an error) costs nothing in actual terms.
    return fields.filter((field) => !actual || (data != null && data[responseKey(field)] !== undefined)).length * MUTATION_COST;
  }
  const root = input.schema.getQueryType();
  return root ? selectionCost(walk, operation.selectionSet, root, data) : 0;
}

function responseKey(field: FieldNode): string {
  return field.alias?.value ?? field.name.value;
}

function collectFields(walk: Walk, selectionSet: SelectionSetNode): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...collectFields(walk, selection.selectionSet));
    else {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment) fields.push(...collectFields(walk, fragment.selectionSet));
    }
  }
  return fields;
}

function selectionCost(walk: Walk, selectionSet: SelectionSetNode, parentType: GraphQLObjectType, data: Data): number {
  let cost = 0;
  for (const field of collectFields(walk, selectionSet)) {
    const definition = parentType.getFields()[field.name.value];
    if (!definition || !field.selectionSet) continue;
    const fieldType = getNamedType(definition.type);
    if (isLeafType(fieldType) || !isObjectType(fieldType)) continue;
    const value = walk.actual ? data?.[responseKey(field)] : undefined;
    cost += fieldType.name.endsWith('Connection')
      ? connectionCost(walk, field, fieldType, value)
      : objectCost(walk, field.selectionSet, fieldType, value);
  }
  return cost;
}

function objectCost(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLObjectType, value: unknown): number {
  if (!walk.actual) return 1 + selectionCost(walk, selectionSet, type, undefined);
  if (value === null || value === undefined) return 1;
  // A plain list of objects is charged like one object (only connections multiply).
  const sample = Array.isArray(value) ? value[0] : value;
  return 1 + (sample ? selectionCost(walk, selectionSet, type, sample as Data) : 0);
}

function pageSize(walk: Walk, field: FieldNode): number {
  for (const name of ['first', 'last']) {
    const argument = field.arguments?.find((candidate) => candidate.name.value === name);
    const size = argument ? valueFromAST(argument.value, GraphQLInt, walk.variables) : undefined;
    if (typeof size === 'number') return Math.max(0, size);
  }
  return 0;
}

/** The node selections of a connection: `edges { node { … } }` and `nodes { … }`. */
function nodeSelections(walk: Walk, connection: FieldNode): Array<{ path: 'edges' | 'nodes'; selectionSet: SelectionSetNode }> {
  const found: Array<{ path: 'edges' | 'nodes'; selectionSet: SelectionSetNode }> = [];
  for (const field of collectFields(walk, connection.selectionSet as SelectionSetNode)) {
    if (field.name.value === 'nodes' && field.selectionSet) found.push({ path: 'nodes', selectionSet: field.selectionSet });
    if (field.name.value === 'edges' && field.selectionSet) {
      for (const inner of collectFields(walk, field.selectionSet)) {
        if (inner.name.value === 'node' && inner.selectionSet) found.push({ path: 'edges', selectionSet: inner.selectionSet });
      }
    }
  }
  return found;
}

function connectionCost(walk: Walk, field: FieldNode, connectionType: GraphQLObjectType, value: unknown): number {
  const nodeType = getNamedType(connectionType.getFields().nodes?.type) as GraphQLObjectType | undefined;
  if (!nodeType) return 2;
  const selections = nodeSelections(walk, field);
  if (!walk.actual) {
    const perNode = Math.max(0, ...selections.map((selection) => 1 + selectionCost(walk, selection.selectionSet, nodeType, undefined)));
    return 2 + pageSize(walk, field) * perNode;
  }
  if (value === null || value === undefined || typeof value !== 'object') return 2;
  const page = value as { edges?: Array<{ node?: Data }>; nodes?: Data[] };
  const returned = page.edges?.map((edge) => edge.node) ?? page.nodes ?? [];
  let cost = 2;
  for (const [index, node] of returned.entries()) {
    const costs = selections.map((selection) => {
      const source = selection.path === 'nodes' ? page.nodes?.[index] : node;
      return 1 + selectionCost(walk, selection.selectionSet, nodeType, source);
    });
    cost += Math.max(0, ...costs);
  }
  return cost;
}
