import type { Role } from "../bindings/Role";

export const ROLES: { value: Role; label: string }[] = [
  { value: "technical_lead", label: "Technical Lead" },
  { value: "dba", label: "DBA" },
  { value: "devops_engineer", label: "DevOps Engineer" },
  { value: "product_owner", label: "Product Owner" },
  { value: "client_stakeholder", label: "Client Stakeholder" },
];

export function roleLabel(role: string | null | undefined): string {
  return ROLES.find((r) => r.value === role)?.label ?? role ?? "";
}
