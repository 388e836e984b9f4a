-- Argo CD health check for the identity.datahub.dev client kinds (AuthorizationCodeClient,
-- ClientCredentialsClient, HybridClient: the same conditions, kstatus semantics).
-- Healthy: Ready=True for the current generation. Degraded: Stalled=True (needs a change by the
-- user; a drift reported under driftPolicy Report is Stalled too, so kstatus and Flux also fail).
-- Suspended: paused by annotation. Progressing: anything else.
local hs = {}
local annotations = obj.metadata.annotations or {}
if annotations["identity.datahub.dev/paused"] == "true" then
  hs.status = "Suspended"
  hs.message = "Paused by the identity.datahub.dev/paused annotation"
  return hs
end
if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to reconcile"
  return hs
end
if obj.metadata.generation ~= nil and obj.status.observedGeneration ~= obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(obj.metadata.generation)
  return hs
end
local ready = nil
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Stalled" and condition.status == "True" then
    hs.status = "Degraded"
    hs.message = (condition.reason or "Stalled") .. ": " .. (condition.message or "")
    return hs
  end
  if condition.type == "Ready" then
    ready = condition
  end
end
if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ready condition"
  return hs
end
if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or "Ready"
  return hs
end
-- Ready=False Drifted without Stalled: written by an operator release before drift was Stalled.
if ready.reason == "Drifted" then
  hs.status = "Degraded"
else
  hs.status = "Progressing"
end
hs.message = (ready.reason or "NotReady") .. ": " .. (ready.message or "")
return hs
