module dev.cove/cove

go 1.19
