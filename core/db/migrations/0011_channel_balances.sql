ALTER TABLE "channels" ADD COLUMN "balance_source" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "balance_amount" numeric(24, 6);--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "balance_currency" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "balance_details" jsonb;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "balance_read_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "balance_checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "balance_error" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "balance_threshold" numeric(24, 6);--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "balance_auto_disable" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "balance_low" boolean DEFAULT false NOT NULL;