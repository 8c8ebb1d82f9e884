CREATE TABLE "topups" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"provider" text NOT NULL,
	"trade_no" text NOT NULL,
	"provider_reference" text,
	"payment_reference" text,
	"method" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"amount_minor" bigint NOT NULL,
	"paid_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"quota" bigint DEFAULT 0 NOT NULL,
	"quota_refunded" bigint DEFAULT 0 NOT NULL,
	"last_event" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"paid_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "topups" ADD CONSTRAINT "topups_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "topups_trade_no_unique" ON "topups" USING btree ("trade_no");--> statement-breakpoint
CREATE UNIQUE INDEX "topups_provider_reference_unique" ON "topups" USING btree ("provider","provider_reference");--> statement-breakpoint
CREATE INDEX "topups_user_created_idx" ON "topups" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "topups_status_idx" ON "topups" USING btree ("status");