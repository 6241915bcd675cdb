"""The Lambda asset: this folder is zipped as it is; its one package, `survey`, holds the handlers.

It imports nothing else of connect_survey (Lambda has only this folder and the Powertools layer).
"""
