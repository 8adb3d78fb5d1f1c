# list blocks and terraform query need Terraform 1.14 or later.
terraform {
  required_version = ">= 1.14"
}
