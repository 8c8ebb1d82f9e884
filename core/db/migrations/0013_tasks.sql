CREATE TABLE "tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"platform" text NOT NULL,
	"action" text NOT NULL,
	"model" text NOT NULL,
	"mode" text,
	"user_id" integer NOT NULL,
	"token_id" integer,
	"group" text DEFAULT 'default' NOT NULL,
	"channel_id" integer,
	"upstream_task_id" text,
	"parent_task_id" text,
	"status" text DEFAULT 'NOT_START' NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"prompt" text,
	"result" jsonb,
	"note" jsonb,
	"fail_reason" text,
	"quota" bigint DEFAULT 0 NOT NULL,
	"refunded" boolean DEFAULT false NOT NULL,
	"refunded_at" timestamp with time zone,
	"submit_time" timestamp with time zone DEFAULT now() NOT NULL,
	"start_time" timestamp with time zone,
	"finish_time" timestamp with time zone,
	"next_poll_at" timestamp with time zone,
	"poll_attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tasks_poll_idx" ON "tasks" USING btree ("next_poll_at");--> statement-breakpoint
CREATE INDEX "tasks_user_created_idx" ON "tasks" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "tasks_channel_created_idx" ON "tasks" USING btree ("channel_id","created_at");--> statement-breakpoint
CREATE INDEX "tasks_created_idx" ON "tasks" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "tasks_status_created_idx" ON "tasks" USING btree ("status","created_at");