CREATE TABLE "quota_stats" (
	"hour" timestamp with time zone NOT NULL,
	"user_id" integer NOT NULL,
	"token_id" integer NOT NULL,
	"channel_id" integer NOT NULL,
	"model" text NOT NULL,
	"requests" bigint DEFAULT 0 NOT NULL,
	"prompt_tokens" bigint DEFAULT 0 NOT NULL,
	"completion_tokens" bigint DEFAULT 0 NOT NULL,
	"quota" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "quota_stats_hour_user_id_token_id_channel_id_model_pk" PRIMARY KEY("hour","user_id","token_id","channel_id","model")
);
--> statement-breakpoint
CREATE INDEX "quota_stats_user_hour_idx" ON "quota_stats" USING btree ("user_id","hour");