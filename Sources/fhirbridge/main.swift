print("fhirbridge")
