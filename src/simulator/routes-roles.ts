// The Roles collection of a tenant (datahub-api.md §8: list with roleTypeId, count, get, and custom
// tenant roles: create, update, delete), the client credential clients in a role, and the roles of
// one client credential client (§5.1, under both …/ClientCredentialClients/{id}/Roles and
// …/Clients/{id}/Roles: list, count, replace).
import { answer, type ApiContext, type EndpointTable, type HandlerResult, type MethodTable } from './api-context.ts';
import { invalid, listResponse, notFound, pageQuery, parseJsonBody, present } from './api-responses.ts';
import { jsonResponse } from './http-io.ts';
import { MAX_DESCRIPTION_CHARS } from './options.ts';
import type { Role, RoleChange } from './roles.ts';
import { clientNotFound } from './routes-clients.ts';
import { isObject, roleIds } from './secret-rules.ts';
import { isGuid, type Validated } from './validation.ts';

const CC_LABEL = 'Client credential client';

function paged(ctx: ApiContext, items: object[]): HandlerResult {
  const page = pageQuery(ctx.query);
  if (!page.ok) return answer(invalid(ctx.op, page.reason));
  return answer(listResponse(ctx.method, items.slice(page.skip, page.skip + page.count).map((r) => present(r, ctx.verbose)), items.length));
}

function listRoles(ctx: ApiContext): HandlerResult {
  const type = ctx.query.get('roleTypeId');
  if (type !== null && type !== '' && !isGuid(type)) return answer(invalid(ctx.op, 'roleTypeId must be a GUID'));
  const all = ctx.tenant.roles.all();
  // `query` is accepted and ignored, as on every Identity list.
  return paged(ctx, type ? all.filter((r) => r.RoleTypeId?.toLowerCase() === type.toLowerCase()) : all);
}

function roleFields(body: unknown, creating: boolean): Validated<{ Id?: string; Name?: string; Description?: string }> {
  if (!isObject(body)) return { ok: false, reason: 'the request body must be a JSON object' };
  const out: { Id?: string; Name?: string; Description?: string } = {};
  const name = body['Name'];
  if (name !== undefined && name !== null) {
    if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_DESCRIPTION_CHARS) return { ok: false, reason: `Name must be 1 to ${MAX_DESCRIPTION_CHARS} characters` };
    out.Name = name;
  } else if (creating) return { ok: false, reason: 'Name is required' };
  const description = body['Description'];
  if (description !== undefined && description !== null) {
    if (typeof description !== 'string' || description.length > MAX_DESCRIPTION_CHARS) return { ok: false, reason: `Description must be a string of at most ${MAX_DESCRIPTION_CHARS} characters` };
    out.Description = description;
  }
  const id = body['Id'];
  if (creating && id !== undefined && id !== null) {
    if (typeof id !== 'string' || !isGuid(id)) return { ok: false, reason: 'Id must be a GUID' };
    out.Id = id;
  }
  return { ok: true, value: out };
}

function roleBody(ctx: ApiContext, creating: boolean): Validated<{ Id?: string; Name?: string; Description?: string }> | { ok: false; result: HandlerResult } {
  const parsed = parseJsonBody(ctx.op, ctx.contentType, ctx.body);
  if (!parsed.ok) return { ok: false, result: answer(parsed.response) };
  return roleFields(parsed.value, creating);
}

function createRole(ctx: ApiContext): HandlerResult {
  const v = roleBody(ctx, true);
  if (!v.ok) return 'result' in v ? v.result : answer(invalid(ctx.op, v.reason));
  const r = ctx.tenant.roles.add({ Name: v.value.Name ?? '', ...(v.value.Id !== undefined ? { Id: v.value.Id } : {}), Description: v.value.Description ?? null }, ctx.state.generateId);
  if (r.ok) return answer(jsonResponse(201, present(r.role, ctx.verbose)), true);
  // 302 Found: a role with this Id or Name exists (the body is that role).
  const existing = r.existing as Role;
  return answer(jsonResponse(302, present(existing, ctx.verbose), { location: `/api/v1/Tenants/${encodeURIComponent(ctx.tenant.id)}/Roles/${existing.Id}` }));
}

function roleResult(ctx: ApiContext, r: RoleChange, ok: (role: Role) => HandlerResult): HandlerResult {
  if (r.ok) return ok(r.role);
  return answer(r.status === 404 ? notFound(ctx.op, 'Role', r.reason) : invalid(ctx.op, r.reason));
}

function getRole(ctx: ApiContext): HandlerResult {
  const id = ctx.params.roleId ?? '';
  const role = ctx.tenant.roles.get(id);
  return answer(role ? jsonResponse(200, present(role, ctx.verbose)) : notFound(ctx.op, 'Role', `Role '${id.slice(0, 100)}' does not exist.`));
}

function updateRole(ctx: ApiContext): HandlerResult {
  const id = ctx.params.roleId ?? '';
  if (!ctx.tenant.roles.has(id)) return answer(notFound(ctx.op, 'Role', `Role '${id.slice(0, 100)}' does not exist.`));
  const v = roleBody(ctx, false);
  if (!v.ok) return 'result' in v ? v.result : answer(invalid(ctx.op, v.reason));
  return roleResult(ctx, ctx.tenant.roles.update(id, v.value), (role) => answer(jsonResponse(200, present(role, ctx.verbose)), true));
}

function deleteRole(ctx: ApiContext): HandlerResult {
  return roleResult(ctx, ctx.tenant.deleteRole(ctx.params.roleId ?? ''), () => answer({ status: 204 }, true));
}

function clientsInRole(ctx: ApiContext): HandlerResult {
  const id = ctx.params.roleId ?? '';
  const role = ctx.tenant.roles.get(id);
  if (!role) return answer(notFound(ctx.op, 'Role', `Role '${id.slice(0, 100)}' does not exist.`));
  return paged(ctx, ctx.tenant.clientCredentialClients.filter((c) => c.RoleIds.some((r) => r.toLowerCase() === role.Id.toLowerCase())));
}

function rolesOf(ctx: ApiContext, roleIdList: readonly string[]): Role[] {
  return roleIdList.map((r) => ctx.tenant.roles.get(r)).filter((r): r is Role => r !== undefined);
}

function clientRoles(ctx: ApiContext): HandlerResult {
  const id = ctx.params.id ?? '';
  const c = ctx.tenant.clientCredentialClients.get(id);
  return c ? paged(ctx, rolesOf(ctx, c.RoleIds)) : clientNotFound(ctx, CC_LABEL, id);
}

/** PUT …/Roles: the body is an array of Role objects (only their Ids count); it replaces the set. */
function replaceClientRoles(ctx: ApiContext): HandlerResult {
  const id = ctx.params.id ?? '';
  const table = ctx.tenant.clientCredentialClients;
  const c = table.get(id);
  if (!c) return clientNotFound(ctx, CC_LABEL, id);
  const parsed = parseJsonBody(ctx.op, ctx.contentType, ctx.body);
  if (!parsed.ok) return answer(parsed.response);
  const body = parsed.value;
  if (!Array.isArray(body) || !body.every((r) => isObject(r) && typeof r['Id'] === 'string')) {
    return answer(invalid(ctx.op, 'the request body must be a list of Role objects, each with its Id'));
  }
  const ids = roleIds(body.map((r: Record<string, unknown>) => r['Id']), ctx.tenant.roles, ctx.state.memberRole, 'Roles');
  if (!ids.ok) return answer(invalid(ctx.op, ids.reason));
  const stored = table.put({ ...c, RoleIds: ids.value ?? [] });
  return answer(jsonResponse(200, rolesOf(ctx, stored.RoleIds).map((r) => present(r, ctx.verbose))), true);
}

const CLIENT_ROLES: MethodTable = { GET: { access: 'self-or-member', run: clientRoles }, PUT: { access: 'admin', run: replaceClientRoles } };

export const ROLE_ENDPOINTS: EndpointTable = {
  roles: { GET: { access: 'member', run: listRoles }, POST: { access: 'admin', run: createRole } },
  role: { GET: { access: 'member', run: getRole }, PUT: { access: 'admin', run: updateRole }, DELETE: { access: 'admin', run: deleteRole } },
  roleClientCredentialClients: { GET: { access: 'member', run: clientsInRole } },
  clientCredentialClientRoles: CLIENT_ROLES,
  clientRoles: CLIENT_ROLES,
};
