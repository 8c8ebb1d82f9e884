CREATE TABLE "quota_stats_daily" (
	"day" timestamp with time zone NOT NULL,
	"user_id" integer NOT NULL,
	"token_id" integer NOT NULL,
	"channel_id" integer NOT NULL,
	"model" text NOT NULL,
	"requests" bigint DEFAULT 0 NOT NULL,
	"prompt_tokens" bigint DEFAULT 0 NOT NULL,
	"completion_tokens" bigint DEFAULT 0 NOT NULL,
	"quota" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "quota_stats_daily_day_user_id_token_id_channel_id_model_pk" PRIMARY KEY("day","user_id","token_id","channel_id","model")
);
--> statement-breakpoint
CREATE INDEX "quota_stats_daily_user_day_idx" ON "quota_stats_daily" USING btree ("user_id","day");