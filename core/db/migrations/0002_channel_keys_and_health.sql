ALTER TABLE "channels" ADD COLUMN "key_mode" text DEFAULT 'random' NOT NULL;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "key_states" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "test_latency_ms" integer;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "tested_at" timestamp with time zone;