"""aloma: code-first workflow automation. The domain core shared by the AWS and the local home."""
