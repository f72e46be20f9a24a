import { z } from "zod";
import { ROLES, type Role } from "./roles";

// zod schemas for the app's forms, shared by the server (authoritative) and the
// browser (early feedback). Messages are German, addressed to the user.

export const PASSWORD_MIN_LENGTH = 12;
const PASSWORD_MAX_LENGTH = 200;

export const LOGIN_FAILED_MESSAGE = "E-Mail oder Passwort ist falsch.";
export const EMAIL_TAKEN_MESSAGE = "Diese E-Mail-Adresse ist bereits vergeben.";
export const SELF_LOCKOUT_MESSAGE =
  "Ihre eigene Rolle können Sie nicht ändern; so bleibt immer eine Koordination übrig.";

export const loginSchema = z.object({
  email: z
    .string({ error: "Bitte geben Sie Ihre E-Mail-Adresse ein." })
    .trim()
    .max(320, LOGIN_FAILED_MESSAGE),
  password: z
    .string({ error: "Bitte geben Sie Ihr Passwort ein." })
    .max(PASSWORD_MAX_LENGTH, LOGIN_FAILED_MESSAGE),
  redirectTo: z.string().optional(),
});

const nameSchema = z
  .string({ error: "Bitte geben Sie einen Namen ein." })
  .trim()
  .min(1, "Bitte geben Sie einen Namen ein.")
  .max(100, "Der Name darf höchstens 100 Zeichen lang sein.");

const emailSchema = z
  .string({ error: "Bitte geben Sie eine E-Mail-Adresse ein." })
  .trim()
  .toLowerCase()
  .pipe(
    z.email({
      error: "Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@beispiel.de.",
    }),
  );

const newPasswordSchema = z
  .string({ error: "Bitte geben Sie ein Passwort ein." })
  .min(
    PASSWORD_MIN_LENGTH,
    `Das Passwort muss mindestens ${PASSWORD_MIN_LENGTH} Zeichen lang sein.`,
  )
  .max(
    PASSWORD_MAX_LENGTH,
    `Das Passwort darf höchstens ${PASSWORD_MAX_LENGTH} Zeichen lang sein.`,
  );

const confirmationSchema = z.string({ error: "Bitte wiederholen Sie das Passwort." });

const PASSWORDS_DIFFER = "Die Passwörter stimmen nicht überein.";

export const setupSchema = z
  .object({
    name: nameSchema,
    email: emailSchema,
    password: newPasswordSchema,
    confirmPassword: confirmationSchema,
  })
  .refine((value) => value.password === value.confirmPassword, {
    path: ["confirmPassword"],
    message: PASSWORDS_DIFFER,
  });

export const passwordResetSchema = z
  .object({
    intent: z.literal("reset-password"),
    password: newPasswordSchema,
    confirmPassword: confirmationSchema,
  })
  .refine((value) => value.password === value.confirmPassword, {
    path: ["confirmPassword"],
    message: PASSWORDS_DIFFER,
  });

const roleSchema = z.enum(ROLES as [Role, ...Role[]], { error: "Bitte wählen Sie eine Rolle." });

const PARTNER_REQUIRED = "Bitte wählen Sie den Schulträger, für den diese Person beschafft.";

/** Role and partner: officers need one of the known partners, other roles none. */
function roleAndPartner(partnerCodes: readonly string[]) {
  return {
    role: roleSchema,
    partner: z
      .string()
      .optional()
      .refine(
        (code) => code === undefined || partnerCodes.includes(code),
        "Diesen Schulträger gibt es nicht.",
      ),
  };
}

function requirePartnerForOfficer(value: { role: Role; partner?: string }, ctx: z.RefinementCtx) {
  if (value.role === "officer" && !value.partner)
    ctx.addIssue({ code: "custom", path: ["partner"], message: PARTNER_REQUIRED });
}

export function createUserSchema(partnerCodes: readonly string[]) {
  return z
    .object({
      intent: z.literal("create"),
      name: nameSchema,
      email: emailSchema,
      ...roleAndPartner(partnerCodes),
      password: newPasswordSchema,
    })
    .superRefine(requirePartnerForOfficer);
}

export function updateUserSchema(partnerCodes: readonly string[]) {
  return z
    .object({ intent: z.literal("update"), name: nameSchema, ...roleAndPartner(partnerCodes) })
    .superRefine(requirePartnerForOfficer);
}
