"""The clinical concepts the pre-screen recognises, in a person's words and in a study's criteria.

One table serves both sides, so that "no history of psychosis" in a description and "history of
psychosis or schizophrenia" in a criterion meet on the same key. Each concept has a plain label and a
plain question: when a criterion depends on a concept the person did not mention, the question is what
to ask the study team (or the person). Patterns are written from the wording of criteria and clinical
knowledge (synonyms, abbreviations used in notes), never fitted to judged data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ConceptKind = Literal["condition", "substance", "medicine", "state", "treatment"]


@dataclass(frozen=True)
class Concept:
    key: str
    label: str  # plain words for the person
    question: str  # a yes/no question a person can answer
    kind: ConceptKind
    pattern: re.Pattern[str]


def _c(key: str, label: str, question: str, kind: ConceptKind, pattern: str) -> Concept:
    return Concept(key, label, question, kind, re.compile(pattern, re.I))


CONCEPTS: tuple[Concept, ...] = (
    # --- pregnancy and related states
    _c("pregnancy", "pregnancy", "Are you pregnant, or could you be?", "state",
       r"\bpregnan(?:t|cy|cies)\b|\bgravid\b|\bexpecting a baby\b"),
    _c("breastfeeding", "breastfeeding", "Are you breastfeeding?", "state",
       r"\bbreast[- ]?feeding\b|\blactat(?:ing|ion)\b|\bnursing (?:mother|women|a baby)\b"),
    _c("menopause", "menopause", "Have you gone through the menopause?", "state",
       r"\b(?:post|pre|peri)?-?menopaus(?:e|al)\b"),
    # born before 37 completed weeks (WHO definition of preterm birth); "term infant" names its opposite
    _c("preterm", "premature birth", "Was the baby born prematurely (before 37 weeks)?", "state",
       r"\bprematur(?:e|ely) (?:birth|born|infants?|babies|baby|neonates?|newborns?|delivery)\b|\bprematurity\b|"
       r"\bborn prematurely\b|\bpre-?term (?:birth|born|infants?|babies|baby|neonates?|newborns?|delivery)\b|"
       r"\b(?:full[- ])?term (?:infants?|babies|baby|neonates?|newborns?)\b"),
    # --- psychiatric history
    _c("psychosis", "psychosis or schizophrenia", "Have you ever had psychosis or schizophrenia?", "condition",
       r"\bpsychos[ie]s\b|\bpsychotic\b|\bschizo(?:phreni\w*|affective|phreniform)\b|\bdelusional disorder\b"),
    _c("bipolar", "bipolar disorder or mania", "Have you ever been diagnosed with bipolar disorder or had mania?",
       "condition", r"\bbipolar\b|\bmani(?:a|c)\b|\bhypomani\w*\b"),
    _c("suicidal", "suicidal thoughts or attempts", "Have you had thoughts of suicide or made a suicide attempt?",
       "condition", r"\bsuicid\w*\b|\bself[- ]harm\w*\b"),
    _c("depression", "depression", "Have you been diagnosed with depression?", "condition",
       r"\bdepress(?:ion|ive|ed mood|ed)\b|\bMDD\b|\bdysthymi\w*\b"),
    # the family: any psychiatric disorder (each disorder above and below is one)
    _c("psychiatric", "a psychiatric (mental health) disorder", "Have you been diagnosed with a mental health "
       "(psychiatric) disorder?", "condition",
       r"\bpsychiatric (?:disorders?|diseases?|illness\w*|conditions?|history|problems?|issues|patholog\w*|"
       r"diagnos[ie]s|comorbidit\w*)\b|\bmental (?:illness\w*|disorders?|diseases?|health (?:disorders?|"
       r"conditions?|problems?))\b|\bpsychiatric\b(?= (?:or|and|and/or) )"),
    _c("anxiety", "an anxiety disorder", "Have you been diagnosed with an anxiety disorder?", "condition",
       r"\banxiety\b|(?-i:\bGAD\b)|\bpanic disorder\b|\bsocial phobia\b"),
    _c("ptsd", "post-traumatic stress disorder", "Have you been diagnosed with PTSD?", "condition",
       r"\bPTSD\b|\bpost[- ]?traumatic stress\b"),
    _c("dementia", "dementia or cognitive impairment", "Do you have dementia or memory problems?", "condition",
       r"\bdementia\b|\balzheimer\w*\b|\bcognitive impairment\b|\bcognitively impaired\b"),
    _c("intellectual_disability", "intellectual disability", "Do you have an intellectual disability?",
       "condition", r"\bintellectual(?:ly)? disab\w*\b|\bmental retardation\b|\bmentally retarded\b"),
    _c("eating_disorder", "an eating disorder", "Have you had an eating disorder?", "condition",
       r"\banorexia nervosa\b|\bbulimi\w*\b|\beating disorder\b"),
    # --- substances
    _c("substance_use", "drug use or a substance use disorder",
       "Do you use recreational or illegal drugs, or have you had a drug problem?", "substance",
       r"\bsubstance (?:use|abuse|dependence|misuse)\b|\bdrugs?(?= (?:or|and|and/or) alcohol (?:abuse|"
       r"dependence|misuse|addiction))|"
       r"(?<=alcohol and )drug (?:abuse|dependence|misuse|addiction)\b|(?<=alcohol or )drug (?:abuse|"
       r"dependence|misuse|addiction)\b|"
       r"(?<=alcohol and/or )drug (?:abuse|dependence|misuse|addiction)\b|\bdrug (?:abuse|addiction|"
       r"dependence|misuse|use disorder)\b|"
       r"\billicit\b|\billegal drugs?\b|\brecreational drugs?\b|\bstreet drugs?\b|\bcocaine\b|\bheroin\b|"
       r"\bmethamphetamine\b|\bcannabis\b|\bmarijuana\b|\bIVDU\b|\bIV drug use\b|\bpolysubstance\b|"
       r"\bopioid use disorder\b|\b(?:recreational |illicit |illegal |street )?drug use\b|"
       r"\buse any drugs\b|\busing any drugs\b|\buse drugs\b"),
    _c("alcohol", "alcohol use", "Do you drink alcohol regularly, or have you had an alcohol problem?", "substance",
       r"\balcohol\w*\b|\bETOH\b|\bbinge drink\w*\b|\bbeer\b|\bwine\b"),
    _c("smoking", "smoking", "Do you smoke or use tobacco?", "substance",
       r"\bsmok(?:e|es|er|ers|ing)\b|\btobacco\b|\bcigarettes?\b|\bnicotine\b"),
    # --- eyes, head, nerves
    _c("glaucoma", "glaucoma or raised eye pressure", "Do you have glaucoma or raised pressure in the eye?",
       "condition", r"\bglaucoma\b|\b(?:elevated|raised|high|increased) intra-?ocular pressure\b|"
                    r"\bocular hypertension\b"),
    _c("cluster_headache", "cluster headache", "Do you have cluster headache?", "condition",
       r"\bcluster headaches?\b"),
    _c("migraine", "migraine", "Do you have migraine?", "condition", r"\bmigraines?\b"),
    _c("epilepsy", "epilepsy or seizures", "Have you had epilepsy or seizures?", "condition",
       r"\bepilep\w*\b|\bseizures?\b|\bconvulsions?\b"),
    _c("stroke", "a stroke", "Have you had a stroke?", "condition",
       r"\bstrokes?\b|\bCVA\b|\bcerebrovascular accidents?\b|\bcerebral infarct\w*\b|(?-i:\bTIA\b)|"
       r"\binfarcts?\b(?= (?:of|in) the (?:right |left )?(?:\w+ ){0,2}(?:white matter|basal ganglia|lobe|"
       r"hemisphere|cerebell\w*|thalam\w*|pons|brain\w*|cortex))|\bischemic stroke\b|"
       r"\btransient ischemic attack\b"),
    _c("neurological", "a serious neurological disease", "Do you have a serious neurological disease?", "condition",
       r"\bneurologic(?:al)? (?:disease|disorder|illness|condition)s?\b|\bparkinson\w*\b|\bmultiple sclerosis\b|"
       r"\bmyasthenia\b|(?-i:\bALS\b)|\bamyotrophic\b"),
    _c("multiple_sclerosis", "multiple sclerosis", "Do you have multiple sclerosis?", "condition",
       r"\bmultiple sclerosis\b|\bRRMS\b"),
    _c("vascular_malformation", "an aneurysm or vascular malformation",
       "Have you had an aneurysm or a malformation of blood vessels?", "condition",
       r"\baneurysm\w*\b|\barterio-?venous malformation\w*\b|\bAVM\b|\bvascular malformation\w*\b"),
    _c("brain_injury", "a head or brain injury", "Have you had a head injury?", "condition",
       r"\b(?:traumatic )?brain injur\w*\b|\bTBI\b|\bhead injur\w*\b|\bhead trauma\b"),
    # --- heart, blood pressure, vessels
    _c("heart_disease", "heart disease", "Do you have heart disease?", "condition",
       r"\bheart (?:disease|problem)s?\b|\b(?:heart|cardiac)\b(?=\s*(?:or|and|/|"
       r",)\s*(?:\w+\s+){0,2}(?:disease|failure|impairment|dysfunction|insufficiency)s?\b)|"
       r"\bcardiac (?:disease|arrest|dysfunction)\b|\bcardiovascular disease\b|\bcardiac disorders?\b"),
    # specific heart diseases: each one is heart disease, but one does not stand for another
    _c("coronary", "coronary heart disease (angina, heart attack)", "Have you had angina or a heart attack?",
       "condition", r"\bcoronary (?:artery |heart )?(?:disease|insufficiency|syndrome)\b|\bcoronary\b|\bCAD\b|"
                    r"\bmyocardial infarct\w*\b|(?-i:\bMI\b)|\bangina\b|\bheart attacks?\b|\bischemic heart\b|"
                    r"\bASHD\b|\bNSTEMI\b|\bSTEMI\b"),
    _c("heart_failure", "heart failure", "Do you have heart failure?", "condition",
       r"\bheart failure\b|\bcardiac failure\b|(?-i:\bd?CHF\b)|\bHF[rp]EF\b|\bcardiomyopath\w*\b|"
       r"\bventricular (?:systolic )?dysfunction\b"),
    _c("arrhythmia", "an irregular heart rhythm", "Do you have an irregular heart rhythm (e.g. atrial fibrillation)?",
       "condition", r"\barrhythmi\w*\b|\batrial fibrillation\b|\batrial flutter\b|(?-i:\bA-?[Ff]ib\b|\bAF\b|\bVT\b)|"
                    r"\bventricular (?:tachycardia|fibrillation)\b|\bQTc? prolongation\b|\blong QT\b|"
                    r"\bheart block\b|\bsick sinus\b"),
    _c("atrial_arrhythmia", "atrial fibrillation or flutter", "Do you have atrial fibrillation or flutter?",
       "condition", r"\batrial (?:fibrillation|flutter|arrhythmi\w*|tachy\w*)\b|(?-i:\bA-?[Ff]ib\b|\bAF\b)|"
       r"\batrial(?= (?:or|and|and/or|/) ventricular (?:arrhythmi|tachy|fibril))"),  # "atrial or ventricular ..."
    _c("ventricular_arrhythmia", "ventricular tachycardia or fibrillation",
       "Have you had ventricular tachycardia or fibrillation?", "condition",
       r"\bventricular (?:tachycardia|fibrillation|tachyarrhythmi\w*|arrhythmi\w*)\b|(?-i:\bVT\b|\bVF\b)|"
       r"\bventricular(?= (?:or|and|and/or|/) atrial (?:arrhythmi|tachy|fibril))"),
    _c("valve_disease", "heart valve disease", "Do you have a heart valve disease?", "condition",
       r"\bvalv\w* (?:heart )?(?:disease|stenosis|regurgitation|insufficiency|prolapse)\b|\baortic stenosis\b|"
       r"\baortic (?:valve )?(?:regurgitation|insufficiency|stenosis)\b|\bbicuspid aortic valve\b|"
       r"\bmitral (?:valve )?(?:prolapse|regurgitation|stenosis|insufficiency)\b|(?-i:\bMVP\b)"),
    _c("hypertension", "high blood pressure", "Do you have high blood pressure?", "condition",
       r"\bhypertensi(?:on|ve)\b|\bHTN\b|\bhigh blood pressure\b|\banti-?hypertensives?\b"),
    _c("pvd", "peripheral arterial disease", "Do you have poor circulation in the legs (peripheral arterial disease)?",
       "condition", r"\bperipheral (?:vascular|arterial|artery) (?:disease|occlusive disease)\b|(?-i:\bPVD\b|\bPAD\b)|"
                    r"\bclaudication\b"),
    # not the high blood pressure of the arteries of the body: each its own concept, so "hypertension" inside them
    # is not read as hypertension
    _c("pulmonary_hypertension", "pulmonary hypertension", "Do you have pulmonary hypertension?", "condition",
       r"\bpulmonary (?:arterial |artery (?:systolic )?)?hypertension\b|\bpulm(?:onary)? HTN\b|(?-i:\bPAH\b)"),
    _c("portal_hypertension", "portal hypertension (from liver disease)", "Do you have portal hypertension?",
       "condition", r"\bportal hypertension\b"),
    _c("intracranial_hypertension", "raised pressure in the head", "Do you have raised pressure in the head?",
       "condition", r"\b(?:idiopathic )?intracranial hypertension\b|\bpseudotumou?r cerebri\b"),
    _c("preeclampsia", "pre-eclampsia or high blood pressure in pregnancy",
       "Have you had pre-eclampsia or high blood pressure in pregnancy?", "condition",
       r"\bpre-?eclampsia\b|\beclampsia\b|\bHELLP\b|\bgestational hypertension\b|"
       r"\bpregnancy[- ]induced hypertension\b"),
    _c("gi_bleeding", "bleeding from the stomach or gut", "Have you had bleeding from the stomach or gut?",
       "condition", r"\b(?:gastrointestinal|GI|upper GI|lower GI|gastric|variceal) (?:bleed\w*|ha?emorrhage)\b|"
                    r"(?-i:\bUGIB\b|\bLGIB\b)|\bmela?ena\b|\bha?ematemesis\b|\bpeptic ulcers?\b|"
                    r"\b(?:gastric|duodenal) ulcers?\b"),
    _c("ibd", "inflammatory bowel disease (Crohn's, ulcerative colitis)",
       "Do you have Crohn's disease or ulcerative colitis?", "condition",
       r"\binflammatory bowel disease\b|(?-i:\bIBD\b)|\bcrohn\W?s?(?: disease)?\b|\bulcerative colitis\b"),
    _c("mechanical_ventilation", "a breathing machine (ventilator)", "Are you on a breathing machine?", "treatment",
       r"\bmechanical(?:ly)? ventilat\w*\b|\bintubat\w*\b|\bon (?:a )?ventilator\b"),
    _c("delirium", "delirium or confusion", "Are you confused or delirious?", "condition",
       r"\bdelirium\b|\baltered mental status\b|(?-i:\bAMS\b)|\bencephalopath\w*\b"),
    _c("implanted_device", "an implanted device or metal in the body",
       "Do you have a pacemaker, an implanted device or metal in your body?", "state",
       r"\bpace-?makers?\b|(?-i:\bPPM\b|\bICD\b(?!-?\s?\d)|\bAICD\b)|"
       r"\bimplant(?:ed|able) (?:cardiac |electronic |cardioverter[- ])?(?:devices?|defibrillators?|pumps?)\b|"
       r"\bcochlear implants?\b|\bmetal(?:lic)? (?:implants?|clips?|fragments?)\b|\bshrapnel\b|"
       r"\bdeep brain stimulat\w*\b|\bneurostimulators?\b|\bIVC filter\b|\baneurysm clips?\b"),
    _c("kidney_stones", "kidney stones", "Have you had kidney stones?", "condition",
       r"\bkidney stones?\b|\brenal (?:stones?|calculi)\b|\bnephrolithiasis\b|\burolithiasis\b|\bureter\w* stones?\b"),
    _c("neuropathy", "nerve damage (neuropathy)", "Do you have nerve damage (neuropathy)?", "condition",
       r"\b(?:peripheral |diabetic )?neuropath(?:y|ies)\b|\bpolyneuropath\w*\b"),
    _c("gerd", "acid reflux (GERD)", "Do you have acid reflux (GERD)?", "condition",
       r"\bGERD\b|\bGORD\b|\bgastro-?o?esophageal reflux(?: disease)?\b|\bgastric reflux(?: disease)?\b|"
       r"\bacid reflux\b"),
    _c("hypotension", "low blood pressure", "Do you have low blood pressure?", "condition",
       r"\bhypotensi(?:on|ve)\b|\blow blood pressure\b"),
    _c("thrombosis", "blood clots", "Have you had blood clots (DVT or pulmonary embolism)?", "condition",
       r"\bthrombo(?:sis|embolism|embolic)\b|\bDVT\b|\bpulmonary embol\w*\b|(?-i:\bPE\b)"),
    # --- organs
    _c("liver_disease", "liver disease", "Do you have liver disease?", "condition",
       r"\bliver (?:disease|failure|dysfunction|impairment|cirrhosis)\b|\b(?:liver|hepatic)\b(?=\s*(?:or|and|"
       r"/|,)\s*(?:\w+\s+){0,2}(?:disease|failure|impairment|dysfunction|insufficiency)s?\b)|"
       r"\bhep(?:atitis)? ?[BC]\b|\bwilson\W?s? disease\b|\bha?emochromatosis\b|\balpha-1[- ]antitrypsin\b|"
       r"\bhepatic (?:disease|impairment|failure|"
       r"dysfunction|insufficiency|encephalopathy)\b|\bcirrho\w*\b|\bhepatitis\b|\bHCV\b|\bHBV\b"),
    # kinds of viral hepatitis (each is liver disease; hepatitis B is not hepatitis C)
    _c("viral_hepatitis", "viral hepatitis", "Do you have viral hepatitis (hepatitis B or C)?", "condition",
       r"\bviral hepatitis\b|\bhepatitis viral\b|\bhepatitis virus(?:es)?\b"),
    _c("hepatitis_b", "hepatitis B", "Do you have hepatitis B?", "condition",
       r"\bhep(?:atitis)?[- ]?B(?: virus)?\b|(?-i:\bHBV\b|\bHBsAg\b)"),
    _c("hepatitis_c", "hepatitis C", "Do you have hepatitis C?", "condition",
       r"\bhep(?:atitis)?[- ]?C(?: virus)?\b|(?-i:\bHCV\b)"),
    _c("kidney_disease", "kidney disease", "Do you have kidney disease?", "condition",
       r"\b(?:kidney|renal) (?:disease|failure|impairment|insufficiency|dysfunction)\b|\b(?:kidney|"
       r"renal)\b(?=\s*(?:or|and|/|,)\s*(?:\w+\s+){0,2}(?:disease|failure|impairment|dysfunction|insufficiency)s?\b)|"
       r"\bCKD\b|\bESRD\b|"
       r"\bdialysis\b|\bhemodialysis\b|\bnephropath\w*\b"),
    _c("lung_disease", "lung disease", "Do you have lung disease (COPD, asthma)?", "condition",
       r"\bpulmonary (?:disease|fibrosis)\b|\blung disease\b|"
       r"\binterstitial lung\b"),
    _c("copd", "COPD (chronic obstructive lung disease)", "Do you have COPD or emphysema?", "condition",
       r"\bCOPD\b|\bchronic obstructive (?:pulmonary|lung|airways?) disease\b|\bchronic obstructive\b|"
       r"\bemphysema\b|\bchronic bronchitis\b"),
    _c("asthma", "asthma", "Do you have asthma?", "condition", r"\basthma\w*\b"),
    _c("sleep_apnea", "sleep apnoea or breathing problems", "Do you have sleep apnoea?", "condition",
       r"\bapn(?:o)?ea\b|\bOSA\b|\bobesity hypoventilation\b"),
    _c("thyroid", "a thyroid disease", "Do you have a thyroid disease?", "condition",
       r"\bthyroid (?:disease|disorder|dysfunction)\b|\bhypothyroid\w*\b|\bhyperthyroid\w*\b|\bhashimoto\w*\b|"
       r"\bgraves\b"),
    _c("diabetes", "diabetes", "Do you have diabetes?", "condition",
       r"\btype (?:1|I) (?:or|and|and/or|/) (?:type )?(?:2|II) diabetes(?: mellitus)?\b|"
       r"\bdiabet(?:es|ic)\b(?! insipidus)|(?-i:\bDM(?:I|II|1|2)?\b)|\bT[12]DM\b|\bIDDM\b|\bNIDDM\b"),
    _c("gestational_diabetes", "diabetes in pregnancy (gestational diabetes)",
       "Have you had diabetes during a pregnancy?", "condition",
       r"\bgestational diabetes(?: mellitus)?\b|(?-i:\bGDM\b)"),
    _c("type1_diabetes", "type 1 diabetes", "Do you have type 1 diabetes?", "condition",
       r"\btype (?:1|I|one) diabetes\b|\bT1DM\b|\bIDDM\b|\bjuvenile diabetes\b"),
    _c("type2_diabetes", "type 2 diabetes", "Do you have type 2 diabetes?", "condition",
       r"\btype (?:2|II|two) diabetes\b|\bT2DM\b|\bDMII\b|\bDM2\b|\bNIDDM\b"),
    _c("dka", "diabetic ketoacidosis", "Have you had diabetic ketoacidosis (DKA)?", "condition",
       r"\bdiabetic ketoacidosis\b|(?-i:\bDKA\b)"),
    _c("pcos", "polycystic ovary syndrome", "Do you have polycystic ovary syndrome (PCOS)?", "condition",
       r"\bPCOS\b|(?-i:\bPCO\b)|\bpolycystic ovar(?:y|ian|ies)(?: syndrome| disease)?\b"),
    _c("hyperlipidemia", "high cholesterol", "Do you have high cholesterol?", "condition",
       r"\bhyper(?:lipid|cholesterol|lipoprotein|triglycerid)a?emia\b|\bhyperlipemia\b|\bdyslipid(?:a?emia)?\b|"
       r"(?-i:\bHLD?\b)|\bhigh cholesterol\b"),
    _c("anemia", "anaemia", "Do you have anaemia?", "condition", r"\ban(?:a)?emi(?:a|c)\b"),
    _c("hemoglobinopathy", "sickle cell disease or another haemoglobin disorder",
       "Do you have sickle cell disease or another haemoglobin disorder?", "condition",
       r"\bsickle[- ]cell\b|\bHb ?SS\b|\bha?emoglobinopath\w*\b|\bthalass(?:a)?emi\w*\b"),
    _c("uti", "a urinary tract infection", "Do you have, or often get, urinary tract infections?", "condition",
       r"\burinary tract infections?\b|(?-i:\bUTIs?\b)|\bpyelonephritis\b|\burosepsis\b|\bcystitis\b"),
    _c("vasculitis", "vasculitis", "Do you have vasculitis?", "condition",
       r"\bvasculitis\b|\bwegener\W?s\b|\bgranulomatosis with polyangiitis\b|(?-i:\bGPA\b)|\bpolyangiitis\b|"
       r"\bpolyarteritis\b|\bANCA[- ]associated\b"),
    _c("bph", "an enlarged prostate (BPH)", "Do you have an enlarged prostate (BPH)?", "condition",
       r"\bBPH\b|\bbenign prostatic (?:hyperplasia|hypertrophy|enlargement|obstruction)\b|"
       r"\b(?:enlarged|large) prostate\b|\bprostatic (?:hyperplasia|hypertrophy|enlargement)\b"),
    _c("urinary_retention", "urinary retention", "Have you had urinary retention (unable to pass urine)?",
       "condition", r"\burinary retention\b|\bretention of urine\b"),
    _c("intracranial_hemorrhage", "bleeding in the brain", "Have you had bleeding in the brain?", "condition",
       r"\b(?:intracranial|intracerebral|intraventricular|subarachnoid|cerebral|brain) (?:ha?emorrhage|bleed\w*)\b|"
       r"(?-i:\bICH\b|\bSAH\b|\bIVH\b)|\bha?emorrhagic stroke\b"),
    _c("obesity", "obesity", "Do you have obesity?", "condition", r"\bobes(?:e|ity)\b|\bmorbidly obese\b"),
    _c("cancer", "cancer", "Do you have, or have you had, cancer?", "condition",
       r"\bcancers?\b|\bmalignan\w*\b|\b\w*carcinoma\w*\b|\btumou?rs?\b|\bneoplas\w*\b|\b\w*lymphomas?\b|"
       r"\bleuk(?:a)?emia\b|\b\w+blastoma\b|\b\w*sarcoma\b|"
       r"\bmyeloma\b|\bsarcoma\b|\bmelanoma\b|\bastrocytoma\b|\bglioma\b|\bglioblastoma\b|\bmetasta\w*\b|\bCLL\b"),
    _c("breast_cancer", "breast cancer", "Do you have breast cancer?", "condition",
       r"\bbreast (?:cancer|carcinoma|tumou?r)\b|\bductal (?:breast )?carcinoma\b"),
    _c("lung_cancer", "lung cancer", "Do you have lung cancer?", "condition",
       r"\blung (?:cancer|carcinoma|adenocarcinoma)\b|\bNSCLC\b|\bSCLC\b|\bnon-small cell\b"),
    # kinds of cancer by primary site or cell (after the WHO classification of tumours and MeSH "Neoplasms by
    # Site" / "Neoplasms by Histologic Type"): each is cancer, but one kind does not stand for another
    _c("melanoma", "melanoma", "Do you have, or have you had, melanoma?", "condition", r"\bmelanomas?\b"),
    _c("myeloma", "multiple myeloma", "Do you have multiple myeloma?", "condition",
       r"\b(?:multiple )?myelomas?\b|\bplasma cell myeloma\b"),
    _c("lymphoma", "lymphoma", "Do you have, or have you had, lymphoma?", "condition",
       r"\b\w*lymphomas?\b|\bhodgkin\W?s? disease\b"),
    _c("leukemia", "leukaemia", "Do you have, or have you had, leukaemia?", "condition",
       r"\b(?:acute|chronic) (?:lymphocytic|lymphoblastic|myeloid|myelogenous|myelocytic) leuk(?:a)?emia\b|"
       r"\bleuk(?:a)?emias?\b|(?-i:\bCLL\b|\bAML\b|\bCML\b)"),
    _c("thyroid_cancer", "thyroid cancer", "Do you have thyroid cancer?", "condition",
       r"\b(?:papillary |follicular |medullary |anaplastic |differentiated )?thyroid (?:cancer|carcinoma)s?\b"),
    _c("brain_tumor", "a brain or spinal cord tumour", "Do you have a brain or spinal cord tumour?", "condition",
       r"\b(?:anaplastic )?astrocytomas?\b|\bgliomas?\b|\bglioblastomas?\b|\boligodendrogliomas?\b|"
       r"\bependymomas?\b|\bmedulloblastomas?\b|\b(?:primary )?(?:brain|CNS|spinal cord) tumou?rs?\b"),
    _c("amyloidosis", "amyloidosis", "Do you have amyloidosis?", "condition",
       r"\bamyloidos[ie]s\b|\bAL amyloid\b|\bamyloid (?:light[- ]chain|cardiomyopathy)\b"),
    _c("cancer_treatment", "cancer treatment", "Are you being treated for cancer?", "treatment",
       r"\b(?:anti-?)?cancer (?:therapy|therapies|treatments?|drugs?|agents?)\b|"
       r"\btreatment for (?:the |their |his |her )?cancer\b|\bantineoplastic (?:therapy|therapies|treatments?|"
       r"agents?|drugs?)\b|\banti-?tumou?r (?:therapy|therapies|treatments?|agents?|drugs?)\b|"
       # targeted anticancer antibodies (WHO ATC L01F)
       r"\bbevacizumab\b|\bavastin\b|\btrastuzumab\b|\bherceptin\b|\bpembrolizumab\b|\bnivolumab\b|"
       r"\bcetuximab\b|\bdaratumumab\b"),
    _c("hiv", "HIV", "Do you have HIV?", "condition", r"\bHIV\b|(?-i:\bAIDS\b)|\bhuman immunodeficiency\b"),
    _c("infection", "an active infection", "Do you have an active infection?", "condition",
       r"\b(?:active|acute|serious|systemic|uncontrolled|ongoing) infections?\b|"
       r"\bpneumonia\b|\bcellulitis\b|\babscess(?:es)?\b|\bosteomyelitis\b|"
       r"\bmeningitis\b|\bendocarditis\b|\bcholerae?\b"),
    _c("sepsis", "sepsis (blood poisoning)", "Do you have sepsis?", "condition",
       r"\bsepsis\b|\bseptic(?: shock)?\b|\bsepticemia\b|\bbacter(?:a)?emia\b|\burosepsis\b"),
    _c("tuberculosis", "tuberculosis (TB)", "Do you have, or have you had, tuberculosis (TB)?", "condition",
       r"\btuberculosis\b|(?-i:\bTB\b)|\bmycobacterium tuberculosis\b"),
    _c("autoimmune", "an autoimmune disease", "Do you have an autoimmune disease?", "condition",
       r"\bautoimmune\b|\blupus\b|(?-i:\bSLE\b)|\brheumatoid arthritis\b|\bhashimoto\w*\b|\bcollagenos\w*\b|"
       r"\bsj[oö]gren\w*\b|\bsystemic sclerosis\b|\bscleroderma\b"),
    # granulomatous diseases (MeSH "Granuloma" branch): sarcoidosis, tuberculosis and other granulomatoses
    _c("granulomatous", "a granulomatous disease (e.g. sarcoidosis)", "Do you have a granulomatous disease "
       "such as sarcoidosis?", "condition",
       r"\bgranulomatous (?:diseases?|disorders?|conditions?|inflammation)\b|\bsarcoid(?:osis)?\b|\bgranulomatosis\b"),
    _c("bleeding", "a bleeding disorder", "Do you have a bleeding disorder?", "condition",
       r"\bbleeding (?:disorder|diathesis|tendency)\b|\bcoagulopath\w*\b|\bhemophilia\b"),
    _c("nasal", "nose problems", "Do you have a problem with your nose (such as rhinitis or blockage)?", "condition",
       r"\bnasal (?:abnormalit\w*|obstruction|dysfunction|polyps?|disease|septum)\b|\brhinitis\b"),
    _c("pituitary", "a pituitary disease", "Do you have a pituitary disease (e.g. acromegaly)?", "condition",
       r"\bpituitary\b|\bacromegal\w*\b|\bcushing\W?s? (?:disease|syndrome)\b|\bprolactinoma\b|"
       r"\bmacroadenoma\b|\bhypophys\w*\b"),
    _c("gallstones", "gallstones or gallbladder inflammation", "Do you have gallstones?", "condition",
       r"\bgall ?stones?\b|\bcholelithiasis\b|\bcholecystitis\b|\bbiliary colic\b|\bbiliary sludge\b"),
    _c("pancreatitis", "pancreatitis", "Have you had pancreatitis?", "condition",
       r"\bpancreatitis\b"),
    _c("cdiff", "C. difficile infection", "Do you have a C. difficile infection?", "condition",
       r"\b(?:clostridium|clostridioides|c\.?) ?diff(?:icile)?\b|\bCDI\b"),
    _c("scoliosis", "scoliosis", "Do you have scoliosis?", "condition", r"\bscolio\w*\b"),
    _c("parkinson", "Parkinson's disease", "Do you have Parkinson's disease?", "condition",
       r"\bparkinson\W?s? disease\b|\bparkinsonism\b|\bparkinson\W?s\b"),
    _c("bone_disease", "a bone disease", "Do you have a bone disease (e.g. Paget disease)?", "condition",
       r"\bpaget\W?s disease(?: of bone)?\b|\bosteoporosis\b|\bosteomalacia\b|\bosteogenesis imperfecta\b|"
       r"\bbone (?:or joint )?diseases?\b|\bmetabolic bone\b"),
    _c("chronic_pain", "chronic pain", "Do you have chronic pain?", "condition", r"\bchronic pain\b|\bfibromyalgia\b"),
    _c("allergy_ketamine", "an allergy to ketamine", "Are you allergic to ketamine?", "state",
       r"\b(?:allerg\w*|hypersensitivit\w*|intoleran\w*) (?:to )?(?:ketamine|esketamine)\b|"
       r"\bketamine (?:allerg\w*|hypersensitivit\w*)\b"),
    _c("allergy", "allergies to medicines", "Do you have any allergies to medicines?", "state",
       r"\ballerg\w*\b|\bhypersensitivit\w*\b"),
    # --- medicines and treatments
    _c("ketamine", "ketamine or esketamine", "Have you had ketamine or esketamine before?", "treatment",
       r"\b(?:es|ar)?ketamine\b|\bspravato\b"),
    _c("ect", "electroconvulsive therapy", "Have you had electroconvulsive therapy (ECT)?", "treatment",
       r"(?-i:\bECT\b)|\belectroconvulsive\b"),
    _c("antidepressant", "antidepressants", "Do you take an antidepressant?", "medicine",
       r"\banti-?depressants?\b|\bantidepressive\b|\bmedications? (?:to treat|for) depression\b|\bSSRIs?\b|"
       r"\bSNRIs?\b|\bsertraline\b|\bfluoxetine\b|\bescitalopram\b|\bcitalopram\b|"
       r"\bparoxetine\b|\bvenlafaxine\b|\bduloxetine\b|\bbupropion\b|\bmirtazapine\b"),
    _c("maoi", "MAO inhibitors", "Do you take an MAO inhibitor (e.g. phenelzine)?", "medicine",
       r"\bMAOIs?\b|\bmonoamine oxidase inhibitors?\b|\bphenelzine\b|\bnardil\b|\btranylcypromine\b"),
    _c("benzodiazepine", "benzodiazepines", "Do you take benzodiazepines (e.g. lorazepam, diazepam)?", "medicine",
       r"\bbenzodiazepines?\b|\blorazepam\b|\bdiazepam\b|\bvalium\b|\balprazolam\b|\bclonazepam\b"),
    _c("antipsychotic", "antipsychotics", "Do you take an antipsychotic?", "medicine",
       r"\bantipsychotics?\b|\bneuroleptics?\b|\bquetiapine\b|\bolanzapine\b|\brisperidone\b|\baripiprazole\b"),
    _c("immunosuppressant", "immunosuppressive medicines", "Do you take medicines that suppress the immune system?",
       "medicine", r"\bimmunosuppress\w*\b|\btacrolimus\b|\bcyclosporin\w*\b|\bmycophenolate\b|\bazathioprine\b|"
                   r"\bcyclophosphamides?\b|\bmethotrexate\b|\brituximab\b|\bsirolimus\b"),
    _c("antibiotic", "antibiotics", "Have you taken antibiotics recently?", "medicine",
       r"\bantibiotics?\b|\bantibx\b|\bantibacterials?\b|\bvanco(?:mycin)?\b|\bmetronidazole\b|\bflagyl\b|"
       r"\bceftriaxone\b|\bzosyn\b|\bpiperacillin\b|\bmeropenem\b|\bamoxicillin\b|\baugmentin\b|"
       r"\bazithromycin\b|\bciprofloxacin\b|\blevofloxacin\b|\bdoxycycline\b|\bbactrim\b|\bcephalexin\b|"
       r"\bpenicillin\b|\bclindamycin\b|\bnitrofurantoin\b|\bcefazolin\b"),
    _c("antifungal", "antifungal medicines", "Do you take antifungal medicines?", "medicine",
       r"\bantifungals?\b|\banti-fungals?\b|\bfluconazole\b|\bitraconazole\b|\bketoconazole\b|"
       r"\bterbinafine\b|\bvoriconazole\b|\bposaconazole\b|\bnystatin\b|\bclotrimazole\b"),
    _c("anticonvulsant", "anti-seizure medicines", "Do you take medicines for epilepsy or seizures?", "medicine",
       r"\banti-?convulsants?\b|\banti-?epileptics?\b|\bphenytoin\b|\bdilantin\b|\bphenobarbit\w*\b|"
       r"\bcarbamazepine\b|\btegretol\b|\blevetiracetam\b|\bkeppra\b|\bvalpro\w*\b|\blamotrigine\b|"
       r"\bprimidone\b|\btopiramate\b|\boxcarbazepine\b"),
    _c("thyroid_hormone", "thyroid hormone (e.g. levothyroxine)", "Do you take thyroid hormone (levothyroxine)?",
       "medicine", r"\blevothyroxine\b|\bthyroxine\b|\bsynthroid\b|\bliothyronine\b|"
                   r"\bthyroid (?:hormone|replacement)\b"),
    _c("dopaminergic", "Parkinson's medicines (e.g. levodopa)", "Do you take levodopa or other Parkinson's medicines?",
       "medicine", r"\blevodopa\b|\bL-dopa\b|\bcarbidopa\b|\bdopamine agonists?\b|\bdopaminergic\b|"
                   r"\bpramipexole\b|\bropinirole\b|\brotigotine\b|\banti-?parkinson\w*\b|\bsinemet\b"),
    _c("antiplatelet", "antiplatelet medicines (e.g. aspirin, clopidogrel)",
       "Do you take aspirin or other antiplatelet medicines?", "medicine",
       r"\bantiplatelets?\b|\banti-platelets?\b|\bantiaggregants?\b|\baspirin\b|\bclopidogrel\b|\bplavix\b|"
       r"\bticagrelor\b|\bprasugrel\b"),
    _c("interferon", "interferon", "Are you treated with interferon?", "medicine",
       r"\b(?:peg)?interferons?\b|(?-i:\bIFN\b)"),
    _c("cholinesterase_inhibitor", "cholinesterase inhibitors", "Do you take a cholinesterase inhibitor?", "medicine",
       r"\b(?:acetyl)?cholinesterase inhibitors?\b|\bpyridostigmine\b|\bmestinon\b|\bneostigmine\b|"
       r"\bdonepezil\b|\brivastigmine\b|\bgalantamine\b"),
    _c("lithium", "lithium", "Do you take lithium?", "medicine", r"\blithium\b"),
    _c("opioid", "opioid medicines", "Do you take opioid painkillers?", "medicine",
       r"\bopioids?\b|\bopiates?\b|\bmorphine\b|\boxycodone\b|\bmethadone\b|\bbuprenorphine\b|\bfentanyl\b"),
    _c("anticoagulant", "blood thinners", "Do you take blood thinners (anticoagulants)?", "medicine",
       r"\banticoagula\w*\b|\bwarfarin\b|\bheparin\b|\bapixaban\b|\brivaroxaban\b|\bblood thinners?\b"),
    _c("steroid", "steroid medicines", "Do you take steroid medicines (e.g. prednisone)?", "medicine",
       r"\bcorticosteroids?\b|\bsteroids?\b|\bprednison\w*\b|\bdexamethason\w*\b|\bglucocorticoid\w*\b"),
    _c("vitamin_d_supplement", "vitamin D supplements", "Do you take vitamin D supplements?", "medicine",
       r"\bvitamin D\d?\s*(?:supplement\w*|tablets?|capsules?|drops)\b|\bcholecalciferol\b|\bergocalciferol\b|"
       r"\bcalcifediol\b|\b(?:intake|use|supplementation) of (?:\d+\s*IU\s*(?:\(or more\)\s*)?(?:of\s*)?)?"
       r"vitamin D\b|\bIU (?:\(or more\) )?(?:of )?vitamin D\b|\b(?:takes?|taking) (?:only )?vitamin D\b"),
    _c("insulin", "insulin", "Do you use insulin?", "medicine", r"\binsulin\b"),
    _c("statin", "statins (cholesterol medicines)", "Do you take a statin?", "medicine",
       r"\bstatins?\b|\b(?:atorva|rosuva|simva|prava|lova|fluva|pitava)statin\b|\blipitor\b|\bcrestor\b|\bzocor\b|"
       r"\blipid[- ]lowering (?:medications?|drugs?|therapy|agents?)\b"),
    _c("beta_blocker", "beta blockers", "Do you take a beta blocker?", "medicine",
       r"\bbeta[- ]?blockers?\b|\bbeta[- ]adrenergic (?:receptor )?(?:blockers?|antagonists?)\b|(?-i:\bBB\b)|"
       r"\b(?:meto|ateno|propra|biso|carvedi|labeta|nebivo|esmo|sota)lol\b"),
    _c("ace_inhibitor", "ACE inhibitors or ARBs (blood pressure medicines)", "Do you take an ACE inhibitor or an ARB?",
       "medicine", r"\bACE[- ]?inhibitors?\b|\bACEIs?\b|\bangiotensin[- ]converting enzyme inhibitors?\b|"
                   r"\b(?:lisino|enala|rami|capto|benaze|quina|perindo|fosino|trandola)pril\b|"
                   r"\bangiotensin (?:II )?receptor blockers?\b|\bARBs?\b|\b(?:losar|valsar|irbesar|"
                   r"candesar|telmisar|olmesar)tan\b"),
    _c("diuretic", "diuretics (water tablets)", "Do you take a diuretic (water tablet)?", "medicine",
       r"\bdiuretics?\b|\bfurosemide\b|\blasix\b|\bhydrochlorothiazide\b|\bHCTZ\b|\bHTCZ\b|\bthiazides?\b|"
       r"\bspironolactone\b|\bbumetanide\b|\btorsemide\b|\bchlorthalidone\b"),
    _c("oral_antidiabetic", "diabetes tablets (e.g. metformin)", "Do you take tablets for diabetes (e.g. metformin)?",
       "medicine", r"\bmetformin\b|\boral (?:anti-?diabetic|hypoglyc(?:a)?emic) (?:agents?|drugs?|medications?)\b|"
                   r"\boral anti-?diabetics?\b|\bOADs?\b|\bsulfonylureas?\b|\bglipizide\b|\bglyburide\b|"
                   r"\bglimepiride\b|\bsitagliptin\b|\bDPP-?4 inhibitors?\b|\bSGLT-?2 inhibitors?\b|"
                   r"\b\w+gliflozin\b|\bpioglitazone\b"),
    _c("nsaid", "anti-inflammatory painkillers (NSAIDs)", "Do you take anti-inflammatory painkillers (NSAIDs)?",
       "medicine", r"\bNSAIDs?\b|\bnon-?steroidal anti-?inflammatory\b|\bibuprofen\b|\bnaproxen\b|\bdiclofenac\b|"
                   r"\bcelecoxib\b|\bindomethacin\b|\bmeloxicam\b|\bketorolac\b"),
    _c("ppi", "stomach acid medicines (PPIs)", "Do you take a stomach acid medicine (PPI)?", "medicine",
       r"\bPPIs?\b|\bproton[- ]pump inhibitors?\b|\b(?:o|es|lanso|panto|rabe)prazole\b"),
    _c("growth_hormone", "growth hormone treatment", "Are you treated with growth hormone?", "medicine",
       r"\bgrowth hormone\b(?! (?:stimulation|secretion|deficien\w*|levels?|test\w*|releas\w*|secreting))|"
       r"(?-i:\bGH\b)(?!\s*(?:levels?|stimulation|secretion|deficiency|tests?|excess|of|[:=]|-?secreting|-?producing|"
       r"\d))|\bsomatropin\b"),
    _c("chemotherapy", "chemotherapy", "Have you had chemotherapy?", "treatment",
       r"\bchemotherap\w*\b|\bchemo\b|\bcytotoxic\b|"
       # common cytotoxic drugs and regimens (WHO ATC L01A-L01D)
       r"\b(?:cis|carbo|oxali)platin\b|\b(?:pacli|doce)taxel\b|\b(?:doxo|dauno|epi)rubicin\b|\bcyclophosphamide\b|"
       r"\b(?:5-?)?fluorouracil\b|(?-i:\b5-?FU\b)|\bcapecitabine\b|\bgemcitabine\b|\btemozolomide\b|"
       r"\birinotecan\b|(?-i:\bCPT-?11\b)|\betoposide\b|\bvincristine\b|\bmelphalan\b|\bfludarabine\b|"
       r"(?-i:\bR-?CHOP\b|\bCHOP\b|\bR-?CVP\b|\bFOLFOX\b|\bFOLFIRI\b|\bFCR\b)"),
    _c("radiotherapy", "radiotherapy", "Have you had radiotherapy?", "treatment",
       r"\bradiotherap\w*\b|\bradiation (?:therapy|treatment)\b|\bXRT\b|\birradiation\b"),
    _c("transplant", "an organ or stem-cell transplant", "Have you had a transplant?", "treatment",
       r"\btransplant\w*\b"),
    _c("surgery", "recent surgery", "Have you had surgery recently?", "treatment",
       r"\bmajor surgery\b|\bsurgical procedure\b|"
       r"\bsurgery\b(?! (?:consult\w*|team|service|clinic|department|resident|referral|follow-?up))"),
    _c("contraception", "contraception", "Do you use reliable contraception?", "state",
       r"\bcontracepti\w*\b|\bbirth control\b"),
    _c("hormonal_contraception", "hormonal contraception (the pill)", "Do you take the pill or other hormonal "
       "contraception?", "medicine",
       r"\b(?:oral|hormonal) contracepti\w*\b|\bbirth control pills?\b|(?-i:\bOCPs?\b)|\bcontraceptive pills?\b"),
)  # fmt: skip

BY_KEY = {concept.key: concept for concept in CONCEPTS}

# More specific concepts imply the broader ones: type 1 diabetes is diabetes, breast cancer is cancer.
IMPLIES: dict[str, tuple[str, ...]] = {
    "type1_diabetes": ("diabetes",),
    "type2_diabetes": ("diabetes",),
    "breast_cancer": ("cancer",),
    "lung_cancer": ("cancer",),
    "viral_hepatitis": ("liver_disease",),
    "hepatitis_b": ("liver_disease", "viral_hepatitis"),
    "hepatitis_c": ("liver_disease", "viral_hepatitis"),
    "melanoma": ("cancer",),
    "myeloma": ("cancer",),
    "lymphoma": ("cancer",),
    "leukemia": ("cancer",),
    "thyroid_cancer": ("cancer",),
    "brain_tumor": ("cancer",),
    "chemotherapy": ("cancer_treatment",),
    "cancer_treatment": ("cancer",),
    "atrial_arrhythmia": ("arrhythmia",),
    "ventricular_arrhythmia": ("arrhythmia",),
    "depression": ("psychiatric",),
    "bipolar": ("psychiatric",),
    "psychosis": ("psychiatric",),
    "anxiety": ("psychiatric",),
    "ptsd": ("psychiatric",),
    "eating_disorder": ("psychiatric",),
    "multiple_sclerosis": ("neurological",),
    "cluster_headache": (),
    "allergy_ketamine": ("allergy",),
    "maoi": ("antidepressant",),
    "asthma": ("lung_disease",),
    "copd": ("lung_disease",),
    "parkinson": ("neurological",),
    "pituitary": (),
    "coronary": ("heart_disease",),
    "heart_failure": ("heart_disease",),
    "arrhythmia": ("heart_disease",),
    "valve_disease": ("heart_disease",),
    "vasculitis": ("autoimmune",),
    "intracranial_hemorrhage": (),
    "gestational_diabetes": (),
    "tuberculosis": ("infection", "granulomatous"),
    "sepsis": ("infection",),
    "hormonal_contraception": ("contraception",),
    "cdiff": ("infection",),
    "glaucoma": (),
}


# Kinds of one family that, as a person describes their illness, exclude one another: a person whose notes
# name their cancer as a lymphoma does not also have an unnamed melanoma. (Not so for heart diseases: one
# person often has several, so an unnamed one stays unknown.)
EXCLUSIVE_KINDS: dict[str, tuple[str, ...]] = {
    "cancer": (
        "breast_cancer",
        "lung_cancer",
        "melanoma",
        "myeloma",
        "lymphoma",
        "leukemia",
        "thyroid_cancer",
        "brain_tumor",
    ),
}


@dataclass(frozen=True)
class Mention:
    concept: str
    start: int
    end: int
    words: str


def find_mentions(text: str) -> list[Mention]:
    """Every concept mention in the text, longest (most specific) first where two overlap."""
    found: list[Mention] = []
    for concept in CONCEPTS:
        for m in concept.pattern.finditer(text):
            found.append(Mention(concept.key, m.start(), m.end(), m.group(0)))
    # "allergy to ketamine" also matches "allergy" and "ketamine", "type 1 diabetes" also "diabetes":
    # keep the most specific mention only (the broader concept follows from IMPLIES); where a broader and a
    # narrower concept name the same words ("glioblastoma": cancer and brain tumour), the narrower one
    found = [
        m
        for m in found
        if not any(
            o.concept != m.concept
            and o.start <= m.start
            and m.end <= o.end
            and ((o.end - o.start) > (m.end - m.start) or m.concept in IMPLIES.get(o.concept, ()))
            for o in found
        )
    ]
    return sorted(found, key=lambda m: (m.start, -(m.end - m.start)))
