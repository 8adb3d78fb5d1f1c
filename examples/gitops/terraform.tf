terraform {
  # Terraform 1.11 or later: the s3 backend's use_lockfile (state locking with
  # a lock object in the bucket itself, no DynamoDB table) is generally
  # available from 1.11.
  required_version = ">= 1.11"

  required_providers {
    pipeshub = {
      source = "pipeshub-ai/pipeshub"
    }
  }

  # The state holds every app's client_secret in clear (sensitive only hides
  # it from the CLI's output), so it lives in a remote backend that encrypts
  # it and that only the pipeline's role can read; never in the repository
  # or a workflow artifact.
  backend "s3" {
    bucket = "acme-terraform-state"        # versioned, public access blocked
    key    = "pipeshub/oauth-apps.tfstate" # one state per set of apps, and per PipesHub user
    region = "eu-west-1"

    # Server-side encryption with a customer-managed KMS key rather than the
    # bucket's default key: reading the state then needs kms:Decrypt on this
    # key as well as s3:GetObject, so the key policy decides who can see the
    # secrets, and CloudTrail records every decryption.
    encrypt    = true
    kms_key_id = "alias/terraform-state"

    # A lock object next to the state: a second run waits (-lock-timeout in
    # the workflows) instead of writing the same state at the same time.
    # The workflows' concurrency groups serialise runs of one kind; this
    # lock serialises a plan, an apply and the drift check against each other.
    use_lockfile = true
  }
}
