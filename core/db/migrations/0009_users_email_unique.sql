-- Addresses that already repeat (ignoring case) stay with the oldest account; the later copies are cleared so the index can exist.
UPDATE "users" SET "email" = NULL WHERE "email" IS NOT NULL AND "id" NOT IN (SELECT min("id") FROM "users" WHERE "email" IS NOT NULL GROUP BY lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_lower_unique" ON "users" USING btree (lower("email"));
